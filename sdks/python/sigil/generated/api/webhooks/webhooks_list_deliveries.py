from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.webhooks_list_deliveries_response_200 import (
    WebhooksListDeliveriesResponse200,
)
from ...models.webhooks_list_deliveries_status import WebhooksListDeliveriesStatus
from ...types import UNSET, Response, Unset


def _get_kwargs(
    id: str,
    *,
    page: int | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: str | Unset = UNSET,
    status: WebhooksListDeliveriesStatus | Unset = UNSET,
    event_type: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["page"] = page

    params["limit"] = limit

    params["cursor"] = cursor

    json_status: str | Unset = UNSET
    if not isinstance(status, Unset):
        json_status = status.value

    params["status"] = json_status

    params["event_type"] = event_type

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/webhooks/{id}/deliveries".format(
            id=quote(str(id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | WebhooksListDeliveriesResponse200 | None:
    if response.status_code == 200:
        response_200 = WebhooksListDeliveriesResponse200.from_dict(response.json())

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
) -> Response[Error | WebhooksListDeliveriesResponse200]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    id: str,
    *,
    client: AuthenticatedClient,
    page: int | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: str | Unset = UNSET,
    status: WebhooksListDeliveriesStatus | Unset = UNSET,
    event_type: str | Unset = UNSET,
) -> Response[Error | WebhooksListDeliveriesResponse200]:
    """List deliveries of an endpoint

     Requires the `webhooks:read` scope.

    Args:
        id (str):
        page (int | Unset):
        limit (int | Unset):  Default: 50.
        cursor (str | Unset):
        status (WebhooksListDeliveriesStatus | Unset):
        event_type (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | WebhooksListDeliveriesResponse200]
    """

    kwargs = _get_kwargs(
        id=id,
        page=page,
        limit=limit,
        cursor=cursor,
        status=status,
        event_type=event_type,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: str,
    *,
    client: AuthenticatedClient,
    page: int | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: str | Unset = UNSET,
    status: WebhooksListDeliveriesStatus | Unset = UNSET,
    event_type: str | Unset = UNSET,
) -> Error | WebhooksListDeliveriesResponse200 | None:
    """List deliveries of an endpoint

     Requires the `webhooks:read` scope.

    Args:
        id (str):
        page (int | Unset):
        limit (int | Unset):  Default: 50.
        cursor (str | Unset):
        status (WebhooksListDeliveriesStatus | Unset):
        event_type (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | WebhooksListDeliveriesResponse200
    """

    return sync_detailed(
        id=id,
        client=client,
        page=page,
        limit=limit,
        cursor=cursor,
        status=status,
        event_type=event_type,
    ).parsed


async def asyncio_detailed(
    id: str,
    *,
    client: AuthenticatedClient,
    page: int | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: str | Unset = UNSET,
    status: WebhooksListDeliveriesStatus | Unset = UNSET,
    event_type: str | Unset = UNSET,
) -> Response[Error | WebhooksListDeliveriesResponse200]:
    """List deliveries of an endpoint

     Requires the `webhooks:read` scope.

    Args:
        id (str):
        page (int | Unset):
        limit (int | Unset):  Default: 50.
        cursor (str | Unset):
        status (WebhooksListDeliveriesStatus | Unset):
        event_type (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | WebhooksListDeliveriesResponse200]
    """

    kwargs = _get_kwargs(
        id=id,
        page=page,
        limit=limit,
        cursor=cursor,
        status=status,
        event_type=event_type,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: str,
    *,
    client: AuthenticatedClient,
    page: int | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: str | Unset = UNSET,
    status: WebhooksListDeliveriesStatus | Unset = UNSET,
    event_type: str | Unset = UNSET,
) -> Error | WebhooksListDeliveriesResponse200 | None:
    """List deliveries of an endpoint

     Requires the `webhooks:read` scope.

    Args:
        id (str):
        page (int | Unset):
        limit (int | Unset):  Default: 50.
        cursor (str | Unset):
        status (WebhooksListDeliveriesStatus | Unset):
        event_type (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | WebhooksListDeliveriesResponse200
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            page=page,
            limit=limit,
            cursor=cursor,
            status=status,
            event_type=event_type,
        )
    ).parsed
