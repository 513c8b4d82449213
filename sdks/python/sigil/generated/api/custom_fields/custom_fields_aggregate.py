from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.custom_fields_aggregate_response_200 import (
    CustomFieldsAggregateResponse200,
)
from ...models.error import Error
from ...types import UNSET, Response, Unset


def _get_kwargs(
    key: str,
    *,
    top: int | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["top"] = top

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/custom-fields/{key}/aggregate".format(
            key=quote(str(key), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CustomFieldsAggregateResponse200 | Error | None:
    if response.status_code == 200:
        response_200 = CustomFieldsAggregateResponse200.from_dict(response.json())

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
) -> Response[CustomFieldsAggregateResponse200 | Error]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    key: str,
    *,
    client: AuthenticatedClient,
    top: int | Unset = UNSET,
) -> Response[CustomFieldsAggregateResponse200 | Error]:
    """Aggregate a field: count, distinct, min/max/avg/sum, top values

     Requires the `contacts:read` scope.

    Args:
        key (str):
        top (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CustomFieldsAggregateResponse200 | Error]
    """

    kwargs = _get_kwargs(
        key=key,
        top=top,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    key: str,
    *,
    client: AuthenticatedClient,
    top: int | Unset = UNSET,
) -> CustomFieldsAggregateResponse200 | Error | None:
    """Aggregate a field: count, distinct, min/max/avg/sum, top values

     Requires the `contacts:read` scope.

    Args:
        key (str):
        top (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CustomFieldsAggregateResponse200 | Error
    """

    return sync_detailed(
        key=key,
        client=client,
        top=top,
    ).parsed


async def asyncio_detailed(
    key: str,
    *,
    client: AuthenticatedClient,
    top: int | Unset = UNSET,
) -> Response[CustomFieldsAggregateResponse200 | Error]:
    """Aggregate a field: count, distinct, min/max/avg/sum, top values

     Requires the `contacts:read` scope.

    Args:
        key (str):
        top (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CustomFieldsAggregateResponse200 | Error]
    """

    kwargs = _get_kwargs(
        key=key,
        top=top,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    key: str,
    *,
    client: AuthenticatedClient,
    top: int | Unset = UNSET,
) -> CustomFieldsAggregateResponse200 | Error | None:
    """Aggregate a field: count, distinct, min/max/avg/sum, top values

     Requires the `contacts:read` scope.

    Args:
        key (str):
        top (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CustomFieldsAggregateResponse200 | Error
    """

    return (
        await asyncio_detailed(
            key=key,
            client=client,
            top=top,
        )
    ).parsed
