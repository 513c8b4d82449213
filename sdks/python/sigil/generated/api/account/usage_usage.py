import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.usage_usage_group_by import UsageUsageGroupBy
from ...models.usage_usage_interval import UsageUsageInterval
from ...models.usage_usage_response_200 import UsageUsageResponse200
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    from_: datetime.date | datetime.datetime | Unset = UNSET,
    to: datetime.date | datetime.datetime | Unset = UNSET,
    key_id: str | Unset = UNSET,
    interval: UsageUsageInterval | Unset = UNSET,
    group_by: UsageUsageGroupBy | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_from_: str | Unset
    if isinstance(from_, Unset):
        json_from_ = UNSET
    elif isinstance(from_, datetime.date):
        json_from_ = from_.isoformat()
    else:
        json_from_ = from_.isoformat()

    params["from"] = json_from_

    json_to: str | Unset
    if isinstance(to, Unset):
        json_to = UNSET
    elif isinstance(to, datetime.date):
        json_to = to.isoformat()
    else:
        json_to = to.isoformat()

    params["to"] = json_to

    params["key_id"] = key_id

    json_interval: str | Unset = UNSET
    if not isinstance(interval, Unset):
        json_interval = interval.value

    params["interval"] = json_interval

    json_group_by: str | Unset = UNSET
    if not isinstance(group_by, Unset):
        json_group_by = group_by.value

    params["group_by"] = json_group_by

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/usage",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | UsageUsageResponse200 | None:
    if response.status_code == 200:
        response_200 = UsageUsageResponse200.from_dict(response.json())

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
) -> Response[Error | UsageUsageResponse200]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    from_: datetime.date | datetime.datetime | Unset = UNSET,
    to: datetime.date | datetime.datetime | Unset = UNSET,
    key_id: str | Unset = UNSET,
    interval: UsageUsageInterval | Unset = UNSET,
    group_by: UsageUsageGroupBy | Unset = UNSET,
) -> Response[Error | UsageUsageResponse200]:
    """Usage: without interval/group_by, requests per credential per day by status class; with them, per
    credential per hour or day by outcome or route (90 days kept)

     Requires the `usage:read` scope.

    Args:
        from_ (datetime.date | datetime.datetime | Unset):
        to (datetime.date | datetime.datetime | Unset):
        key_id (str | Unset):
        interval (UsageUsageInterval | Unset):
        group_by (UsageUsageGroupBy | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | UsageUsageResponse200]
    """

    kwargs = _get_kwargs(
        from_=from_,
        to=to,
        key_id=key_id,
        interval=interval,
        group_by=group_by,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    from_: datetime.date | datetime.datetime | Unset = UNSET,
    to: datetime.date | datetime.datetime | Unset = UNSET,
    key_id: str | Unset = UNSET,
    interval: UsageUsageInterval | Unset = UNSET,
    group_by: UsageUsageGroupBy | Unset = UNSET,
) -> Error | UsageUsageResponse200 | None:
    """Usage: without interval/group_by, requests per credential per day by status class; with them, per
    credential per hour or day by outcome or route (90 days kept)

     Requires the `usage:read` scope.

    Args:
        from_ (datetime.date | datetime.datetime | Unset):
        to (datetime.date | datetime.datetime | Unset):
        key_id (str | Unset):
        interval (UsageUsageInterval | Unset):
        group_by (UsageUsageGroupBy | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | UsageUsageResponse200
    """

    return sync_detailed(
        client=client,
        from_=from_,
        to=to,
        key_id=key_id,
        interval=interval,
        group_by=group_by,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    from_: datetime.date | datetime.datetime | Unset = UNSET,
    to: datetime.date | datetime.datetime | Unset = UNSET,
    key_id: str | Unset = UNSET,
    interval: UsageUsageInterval | Unset = UNSET,
    group_by: UsageUsageGroupBy | Unset = UNSET,
) -> Response[Error | UsageUsageResponse200]:
    """Usage: without interval/group_by, requests per credential per day by status class; with them, per
    credential per hour or day by outcome or route (90 days kept)

     Requires the `usage:read` scope.

    Args:
        from_ (datetime.date | datetime.datetime | Unset):
        to (datetime.date | datetime.datetime | Unset):
        key_id (str | Unset):
        interval (UsageUsageInterval | Unset):
        group_by (UsageUsageGroupBy | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | UsageUsageResponse200]
    """

    kwargs = _get_kwargs(
        from_=from_,
        to=to,
        key_id=key_id,
        interval=interval,
        group_by=group_by,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    from_: datetime.date | datetime.datetime | Unset = UNSET,
    to: datetime.date | datetime.datetime | Unset = UNSET,
    key_id: str | Unset = UNSET,
    interval: UsageUsageInterval | Unset = UNSET,
    group_by: UsageUsageGroupBy | Unset = UNSET,
) -> Error | UsageUsageResponse200 | None:
    """Usage: without interval/group_by, requests per credential per day by status class; with them, per
    credential per hour or day by outcome or route (90 days kept)

     Requires the `usage:read` scope.

    Args:
        from_ (datetime.date | datetime.datetime | Unset):
        to (datetime.date | datetime.datetime | Unset):
        key_id (str | Unset):
        interval (UsageUsageInterval | Unset):
        group_by (UsageUsageGroupBy | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | UsageUsageResponse200
    """

    return (
        await asyncio_detailed(
            client=client,
            from_=from_,
            to=to,
            key_id=key_id,
            interval=interval,
            group_by=group_by,
        )
    ).parsed
