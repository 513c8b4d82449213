from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.contacts_upsert_by_external_id_body import ContactsUpsertByExternalIdBody
from ...models.contacts_upsert_by_external_id_response_200 import (
    ContactsUpsertByExternalIdResponse200,
)
from ...models.contacts_upsert_by_external_id_response_201 import (
    ContactsUpsertByExternalIdResponse201,
)
from ...models.error import Error
from ...types import Response


def _get_kwargs(
    external_id: str,
    *,
    body: ContactsUpsertByExternalIdBody,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/v1/contacts/by-external-id/{external_id}".format(
            external_id=quote(str(external_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> (
    ContactsUpsertByExternalIdResponse200
    | ContactsUpsertByExternalIdResponse201
    | Error
    | None
):
    if response.status_code == 200:
        response_200 = ContactsUpsertByExternalIdResponse200.from_dict(response.json())

        return response_200

    if response.status_code == 201:
        response_201 = ContactsUpsertByExternalIdResponse201.from_dict(response.json())

        return response_201

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
) -> Response[
    ContactsUpsertByExternalIdResponse200
    | ContactsUpsertByExternalIdResponse201
    | Error
]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    external_id: str,
    *,
    client: AuthenticatedClient,
    body: ContactsUpsertByExternalIdBody,
) -> Response[
    ContactsUpsertByExternalIdResponse200
    | ContactsUpsertByExternalIdResponse201
    | Error
]:
    """Upsert a contact by external_id: created (201) if no contact has it, else updated with PATCH
    semantics (200); 409 with existing_id if the email is another contact’s

     Requires the `contacts:write` scope.

    Args:
        external_id (str):
        body (ContactsUpsertByExternalIdBody): `external_id`, when sent and not null, must be the
            path's `external_id` (a 400).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ContactsUpsertByExternalIdResponse200 | ContactsUpsertByExternalIdResponse201 | Error]
    """

    kwargs = _get_kwargs(
        external_id=external_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    external_id: str,
    *,
    client: AuthenticatedClient,
    body: ContactsUpsertByExternalIdBody,
) -> (
    ContactsUpsertByExternalIdResponse200
    | ContactsUpsertByExternalIdResponse201
    | Error
    | None
):
    """Upsert a contact by external_id: created (201) if no contact has it, else updated with PATCH
    semantics (200); 409 with existing_id if the email is another contact’s

     Requires the `contacts:write` scope.

    Args:
        external_id (str):
        body (ContactsUpsertByExternalIdBody): `external_id`, when sent and not null, must be the
            path's `external_id` (a 400).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ContactsUpsertByExternalIdResponse200 | ContactsUpsertByExternalIdResponse201 | Error
    """

    return sync_detailed(
        external_id=external_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    external_id: str,
    *,
    client: AuthenticatedClient,
    body: ContactsUpsertByExternalIdBody,
) -> Response[
    ContactsUpsertByExternalIdResponse200
    | ContactsUpsertByExternalIdResponse201
    | Error
]:
    """Upsert a contact by external_id: created (201) if no contact has it, else updated with PATCH
    semantics (200); 409 with existing_id if the email is another contact’s

     Requires the `contacts:write` scope.

    Args:
        external_id (str):
        body (ContactsUpsertByExternalIdBody): `external_id`, when sent and not null, must be the
            path's `external_id` (a 400).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ContactsUpsertByExternalIdResponse200 | ContactsUpsertByExternalIdResponse201 | Error]
    """

    kwargs = _get_kwargs(
        external_id=external_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    external_id: str,
    *,
    client: AuthenticatedClient,
    body: ContactsUpsertByExternalIdBody,
) -> (
    ContactsUpsertByExternalIdResponse200
    | ContactsUpsertByExternalIdResponse201
    | Error
    | None
):
    """Upsert a contact by external_id: created (201) if no contact has it, else updated with PATCH
    semantics (200); 409 with existing_id if the email is another contact’s

     Requires the `contacts:write` scope.

    Args:
        external_id (str):
        body (ContactsUpsertByExternalIdBody): `external_id`, when sent and not null, must be the
            path's `external_id` (a 400).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ContactsUpsertByExternalIdResponse200 | ContactsUpsertByExternalIdResponse201 | Error
    """

    return (
        await asyncio_detailed(
            external_id=external_id,
            client=client,
            body=body,
        )
    ).parsed
