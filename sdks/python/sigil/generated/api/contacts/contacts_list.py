import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.contacts_list_response_200 import ContactsListResponse200
from ...models.error import Error
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    page: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
    tag: str | Unset = UNSET,
    list_id: str | Unset = UNSET,
    segment_id: str | Unset = UNSET,
    updated_since: datetime.datetime | Unset = UNSET,
    q: str | Unset = UNSET,
    external_id: str | Unset = UNSET,
    sort: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["page"] = page

    params["limit"] = limit

    params["cursor"] = cursor

    params["tag"] = tag

    params["list_id"] = list_id

    params["segment_id"] = segment_id

    json_updated_since: str | Unset = UNSET
    if not isinstance(updated_since, Unset):
        json_updated_since = updated_since.isoformat()
    params["updated_since"] = json_updated_since

    params["q"] = q

    params["external_id"] = external_id

    params["sort"] = sort

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/contacts",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ContactsListResponse200 | Error | None:
    if response.status_code == 200:
        response_200 = ContactsListResponse200.from_dict(response.json())

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
) -> Response[ContactsListResponse200 | Error]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    page: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
    tag: str | Unset = UNSET,
    list_id: str | Unset = UNSET,
    segment_id: str | Unset = UNSET,
    updated_since: datetime.datetime | Unset = UNSET,
    q: str | Unset = UNSET,
    external_id: str | Unset = UNSET,
    sort: str | Unset = UNSET,
) -> Response[ContactsListResponse200 | Error]:
    """List contacts: page+limit or cursor; filters tag, list_id, segment_id, external_id, updated_since
    (loss-free sync), q (prefix), sort

     Requires the `contacts:read` scope.

    Args:
        page (int | Unset):
        limit (int | Unset):
        cursor (str | Unset):
        tag (str | Unset):
        list_id (str | Unset):
        segment_id (str | Unset):
        updated_since (datetime.datetime | Unset):
        q (str | Unset):
        external_id (str | Unset):
        sort (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ContactsListResponse200 | Error]
    """

    kwargs = _get_kwargs(
        page=page,
        limit=limit,
        cursor=cursor,
        tag=tag,
        list_id=list_id,
        segment_id=segment_id,
        updated_since=updated_since,
        q=q,
        external_id=external_id,
        sort=sort,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    page: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
    tag: str | Unset = UNSET,
    list_id: str | Unset = UNSET,
    segment_id: str | Unset = UNSET,
    updated_since: datetime.datetime | Unset = UNSET,
    q: str | Unset = UNSET,
    external_id: str | Unset = UNSET,
    sort: str | Unset = UNSET,
) -> ContactsListResponse200 | Error | None:
    """List contacts: page+limit or cursor; filters tag, list_id, segment_id, external_id, updated_since
    (loss-free sync), q (prefix), sort

     Requires the `contacts:read` scope.

    Args:
        page (int | Unset):
        limit (int | Unset):
        cursor (str | Unset):
        tag (str | Unset):
        list_id (str | Unset):
        segment_id (str | Unset):
        updated_since (datetime.datetime | Unset):
        q (str | Unset):
        external_id (str | Unset):
        sort (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ContactsListResponse200 | Error
    """

    return sync_detailed(
        client=client,
        page=page,
        limit=limit,
        cursor=cursor,
        tag=tag,
        list_id=list_id,
        segment_id=segment_id,
        updated_since=updated_since,
        q=q,
        external_id=external_id,
        sort=sort,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    page: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
    tag: str | Unset = UNSET,
    list_id: str | Unset = UNSET,
    segment_id: str | Unset = UNSET,
    updated_since: datetime.datetime | Unset = UNSET,
    q: str | Unset = UNSET,
    external_id: str | Unset = UNSET,
    sort: str | Unset = UNSET,
) -> Response[ContactsListResponse200 | Error]:
    """List contacts: page+limit or cursor; filters tag, list_id, segment_id, external_id, updated_since
    (loss-free sync), q (prefix), sort

     Requires the `contacts:read` scope.

    Args:
        page (int | Unset):
        limit (int | Unset):
        cursor (str | Unset):
        tag (str | Unset):
        list_id (str | Unset):
        segment_id (str | Unset):
        updated_since (datetime.datetime | Unset):
        q (str | Unset):
        external_id (str | Unset):
        sort (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ContactsListResponse200 | Error]
    """

    kwargs = _get_kwargs(
        page=page,
        limit=limit,
        cursor=cursor,
        tag=tag,
        list_id=list_id,
        segment_id=segment_id,
        updated_since=updated_since,
        q=q,
        external_id=external_id,
        sort=sort,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    page: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
    tag: str | Unset = UNSET,
    list_id: str | Unset = UNSET,
    segment_id: str | Unset = UNSET,
    updated_since: datetime.datetime | Unset = UNSET,
    q: str | Unset = UNSET,
    external_id: str | Unset = UNSET,
    sort: str | Unset = UNSET,
) -> ContactsListResponse200 | Error | None:
    """List contacts: page+limit or cursor; filters tag, list_id, segment_id, external_id, updated_since
    (loss-free sync), q (prefix), sort

     Requires the `contacts:read` scope.

    Args:
        page (int | Unset):
        limit (int | Unset):
        cursor (str | Unset):
        tag (str | Unset):
        list_id (str | Unset):
        segment_id (str | Unset):
        updated_since (datetime.datetime | Unset):
        q (str | Unset):
        external_id (str | Unset):
        sort (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ContactsListResponse200 | Error
    """

    return (
        await asyncio_detailed(
            client=client,
            page=page,
            limit=limit,
            cursor=cursor,
            tag=tag,
            list_id=list_id,
            segment_id=segment_id,
            updated_since=updated_since,
            q=q,
            external_id=external_id,
            sort=sort,
        )
    ).parsed
