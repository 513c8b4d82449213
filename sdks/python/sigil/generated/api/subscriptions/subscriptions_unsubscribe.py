from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.subscriptions_unsubscribe_data_body import (
    SubscriptionsUnsubscribeDataBody,
)
from ...models.subscriptions_unsubscribe_files_body import (
    SubscriptionsUnsubscribeFilesBody,
)
from ...models.subscriptions_unsubscribe_json_body import (
    SubscriptionsUnsubscribeJsonBody,
)
from ...models.subscriptions_unsubscribe_response_200 import (
    SubscriptionsUnsubscribeResponse200,
)
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: SubscriptionsUnsubscribeJsonBody
    | SubscriptionsUnsubscribeDataBody
    | SubscriptionsUnsubscribeFilesBody
    | Unset = UNSET,
    token: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    params: dict[str, Any] = {}

    params["token"] = token

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/subscriptions/unsubscribe",
        "params": params,
    }

    if isinstance(body, SubscriptionsUnsubscribeJsonBody):
        if not isinstance(body, Unset):
            _kwargs["json"] = body.to_dict()

        headers["Content-Type"] = "application/json"
    if isinstance(body, SubscriptionsUnsubscribeDataBody):
        if not isinstance(body, Unset):
            _kwargs["data"] = body.to_dict()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if isinstance(body, SubscriptionsUnsubscribeFilesBody):
        if not isinstance(body, Unset):
            _kwargs["files"] = body.to_multipart()

        headers["Content-Type"] = "multipart/form-data; boundary=+++"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | SubscriptionsUnsubscribeResponse200 | None:
    if response.status_code == 200:
        response_200 = SubscriptionsUnsubscribeResponse200.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

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

    if response.status_code == 504:
        response_504 = Error.from_dict(response.json())

        return response_504

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Error | SubscriptionsUnsubscribeResponse200]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: SubscriptionsUnsubscribeJsonBody
    | SubscriptionsUnsubscribeDataBody
    | SubscriptionsUnsubscribeFilesBody
    | Unset = UNSET,
    token: str | Unset = UNSET,
) -> Response[Error | SubscriptionsUnsubscribeResponse200]:
    """One-click unsubscribe (RFC 8058, no credential): the token in the query (`?token=`, the List-
    Unsubscribe URL) or the body; the body may be `List-Unsubscribe=One-Click` form-encoded or
    multipart, or JSON. Idempotent.

    Args:
        token (str | Unset): A token of `POST /v1/contacts/{id}/confirmation` or `GET
            /v1/contacts/{id}/unsubscribe-token`; only a token the API issued is valid (a 400
            otherwise).
        body (SubscriptionsUnsubscribeJsonBody | Unset):
        body (SubscriptionsUnsubscribeDataBody | Unset):
        body (SubscriptionsUnsubscribeFilesBody | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | SubscriptionsUnsubscribeResponse200]
    """

    kwargs = _get_kwargs(
        body=body,
        token=token,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: SubscriptionsUnsubscribeJsonBody
    | SubscriptionsUnsubscribeDataBody
    | SubscriptionsUnsubscribeFilesBody
    | Unset = UNSET,
    token: str | Unset = UNSET,
) -> Error | SubscriptionsUnsubscribeResponse200 | None:
    """One-click unsubscribe (RFC 8058, no credential): the token in the query (`?token=`, the List-
    Unsubscribe URL) or the body; the body may be `List-Unsubscribe=One-Click` form-encoded or
    multipart, or JSON. Idempotent.

    Args:
        token (str | Unset): A token of `POST /v1/contacts/{id}/confirmation` or `GET
            /v1/contacts/{id}/unsubscribe-token`; only a token the API issued is valid (a 400
            otherwise).
        body (SubscriptionsUnsubscribeJsonBody | Unset):
        body (SubscriptionsUnsubscribeDataBody | Unset):
        body (SubscriptionsUnsubscribeFilesBody | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | SubscriptionsUnsubscribeResponse200
    """

    return sync_detailed(
        client=client,
        body=body,
        token=token,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: SubscriptionsUnsubscribeJsonBody
    | SubscriptionsUnsubscribeDataBody
    | SubscriptionsUnsubscribeFilesBody
    | Unset = UNSET,
    token: str | Unset = UNSET,
) -> Response[Error | SubscriptionsUnsubscribeResponse200]:
    """One-click unsubscribe (RFC 8058, no credential): the token in the query (`?token=`, the List-
    Unsubscribe URL) or the body; the body may be `List-Unsubscribe=One-Click` form-encoded or
    multipart, or JSON. Idempotent.

    Args:
        token (str | Unset): A token of `POST /v1/contacts/{id}/confirmation` or `GET
            /v1/contacts/{id}/unsubscribe-token`; only a token the API issued is valid (a 400
            otherwise).
        body (SubscriptionsUnsubscribeJsonBody | Unset):
        body (SubscriptionsUnsubscribeDataBody | Unset):
        body (SubscriptionsUnsubscribeFilesBody | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | SubscriptionsUnsubscribeResponse200]
    """

    kwargs = _get_kwargs(
        body=body,
        token=token,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: SubscriptionsUnsubscribeJsonBody
    | SubscriptionsUnsubscribeDataBody
    | SubscriptionsUnsubscribeFilesBody
    | Unset = UNSET,
    token: str | Unset = UNSET,
) -> Error | SubscriptionsUnsubscribeResponse200 | None:
    """One-click unsubscribe (RFC 8058, no credential): the token in the query (`?token=`, the List-
    Unsubscribe URL) or the body; the body may be `List-Unsubscribe=One-Click` form-encoded or
    multipart, or JSON. Idempotent.

    Args:
        token (str | Unset): A token of `POST /v1/contacts/{id}/confirmation` or `GET
            /v1/contacts/{id}/unsubscribe-token`; only a token the API issued is valid (a 400
            otherwise).
        body (SubscriptionsUnsubscribeJsonBody | Unset):
        body (SubscriptionsUnsubscribeDataBody | Unset):
        body (SubscriptionsUnsubscribeFilesBody | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | SubscriptionsUnsubscribeResponse200
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            token=token,
        )
    ).parsed
