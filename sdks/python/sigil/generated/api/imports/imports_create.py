from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.imports_create_body import ImportsCreateBody
from ...models.imports_create_response_202 import ImportsCreateResponse202
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: ImportsCreateBody,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/imports",
    }

    _kwargs["files"] = body.to_multipart()

    headers["Content-Type"] = "multipart/form-data; boundary=+++"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | ImportsCreateResponse202 | None:
    if response.status_code == 202:
        response_202 = ImportsCreateResponse202.from_dict(response.json())

        return response_202

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Error.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

    if response.status_code == 405:
        response_405 = Error.from_dict(response.json())

        return response_405

    if response.status_code == 409:
        response_409 = Error.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = Error.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Error.from_dict(response.json())

        return response_415

    if response.status_code == 422:
        response_422 = Error.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = Error.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = Error.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = Error.from_dict(response.json())

        return response_503

    if response.status_code == 504:
        response_504 = Error.from_dict(response.json())

        return response_504

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Error | ImportsCreateResponse202]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: ImportsCreateBody,
    idempotency_key: str | Unset = UNSET,
) -> Response[Error | ImportsCreateResponse202]:
    """Start an import job from a CSV or NDJSON file (multipart: `options` part, then `file` part; ≤ 200
    MB)

     Requires the `contacts:write` scope.

    Args:
        idempotency_key (str | Unset):
        body (ImportsCreateBody): Exactly two parts: `options` first, then `file` (the file is
            streamed as it arrives); a 400 otherwise. Also: a CSV `file`'s header names every key of
            `options.mapping` (a 400).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | ImportsCreateResponse202]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: ImportsCreateBody,
    idempotency_key: str | Unset = UNSET,
) -> Error | ImportsCreateResponse202 | None:
    """Start an import job from a CSV or NDJSON file (multipart: `options` part, then `file` part; ≤ 200
    MB)

     Requires the `contacts:write` scope.

    Args:
        idempotency_key (str | Unset):
        body (ImportsCreateBody): Exactly two parts: `options` first, then `file` (the file is
            streamed as it arrives); a 400 otherwise. Also: a CSV `file`'s header names every key of
            `options.mapping` (a 400).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | ImportsCreateResponse202
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: ImportsCreateBody,
    idempotency_key: str | Unset = UNSET,
) -> Response[Error | ImportsCreateResponse202]:
    """Start an import job from a CSV or NDJSON file (multipart: `options` part, then `file` part; ≤ 200
    MB)

     Requires the `contacts:write` scope.

    Args:
        idempotency_key (str | Unset):
        body (ImportsCreateBody): Exactly two parts: `options` first, then `file` (the file is
            streamed as it arrives); a 400 otherwise. Also: a CSV `file`'s header names every key of
            `options.mapping` (a 400).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | ImportsCreateResponse202]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: ImportsCreateBody,
    idempotency_key: str | Unset = UNSET,
) -> Error | ImportsCreateResponse202 | None:
    """Start an import job from a CSV or NDJSON file (multipart: `options` part, then `file` part; ≤ 200
    MB)

     Requires the `contacts:write` scope.

    Args:
        idempotency_key (str | Unset):
        body (ImportsCreateBody): Exactly two parts: `options` first, then `file` (the file is
            streamed as it arrives); a 400 otherwise. Also: a CSV `file`'s header names every key of
            `options.mapping` (a 400).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | ImportsCreateResponse202
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
