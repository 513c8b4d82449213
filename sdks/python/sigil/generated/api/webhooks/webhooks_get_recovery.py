from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.webhooks_get_recovery_response_200 import WebhooksGetRecoveryResponse200
from ...types import Response


def _get_kwargs(
    id: str,
    recovery_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/webhooks/{id}/recoveries/{recovery_id}".format(
            id=quote(str(id), safe=""),
            recovery_id=quote(str(recovery_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | WebhooksGetRecoveryResponse200 | None:
    if response.status_code == 200:
        response_200 = WebhooksGetRecoveryResponse200.from_dict(response.json())

        return response_200

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
) -> Response[Error | WebhooksGetRecoveryResponse200]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    id: str,
    recovery_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[Error | WebhooksGetRecoveryResponse200]:
    """Progress of a recovery

     Requires the `webhooks:read` scope.

    Args:
        id (str):
        recovery_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | WebhooksGetRecoveryResponse200]
    """

    kwargs = _get_kwargs(
        id=id,
        recovery_id=recovery_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: str,
    recovery_id: str,
    *,
    client: AuthenticatedClient,
) -> Error | WebhooksGetRecoveryResponse200 | None:
    """Progress of a recovery

     Requires the `webhooks:read` scope.

    Args:
        id (str):
        recovery_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | WebhooksGetRecoveryResponse200
    """

    return sync_detailed(
        id=id,
        recovery_id=recovery_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    id: str,
    recovery_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[Error | WebhooksGetRecoveryResponse200]:
    """Progress of a recovery

     Requires the `webhooks:read` scope.

    Args:
        id (str):
        recovery_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | WebhooksGetRecoveryResponse200]
    """

    kwargs = _get_kwargs(
        id=id,
        recovery_id=recovery_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: str,
    recovery_id: str,
    *,
    client: AuthenticatedClient,
) -> Error | WebhooksGetRecoveryResponse200 | None:
    """Progress of a recovery

     Requires the `webhooks:read` scope.

    Args:
        id (str):
        recovery_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | WebhooksGetRecoveryResponse200
    """

    return (
        await asyncio_detailed(
            id=id,
            recovery_id=recovery_id,
            client=client,
        )
    ).parsed
