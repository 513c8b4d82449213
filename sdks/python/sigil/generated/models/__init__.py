"""Contains all the data models used in inputs/outputs"""

from .accepted_invitation import AcceptedInvitation
from .accepted_invitation_mode import AcceptedInvitationMode
from .accepted_invitation_tenant import AcceptedInvitationTenant
from .accepted_invitation_user import AcceptedInvitationUser
from .accepted_invitation_user_role import AcceptedInvitationUserRole
from .activity import Activity
from .activity_properties import ActivityProperties
from .api_key import ApiKey
from .api_key_environment import ApiKeyEnvironment
from .api_key_status import ApiKeyStatus
from .api_key_with_secret import ApiKeyWithSecret
from .api_key_with_secret_environment import ApiKeyWithSecretEnvironment
from .api_key_with_secret_status import ApiKeyWithSecretStatus
from .api_keys_create_body import ApiKeysCreateBody
from .api_keys_create_body_environment import ApiKeysCreateBodyEnvironment
from .api_keys_create_body_scopes_item import ApiKeysCreateBodyScopesItem
from .api_keys_create_response_201 import ApiKeysCreateResponse201
from .api_keys_create_response_201_links import ApiKeysCreateResponse201Links
from .api_keys_get_response_200 import ApiKeysGetResponse200
from .api_keys_get_response_200_links import ApiKeysGetResponse200Links
from .api_keys_list_response_200 import ApiKeysListResponse200
from .api_keys_list_response_200_links import ApiKeysListResponse200Links
from .api_keys_rotate_body import ApiKeysRotateBody
from .api_keys_rotate_response_200 import ApiKeysRotateResponse200
from .api_keys_rotate_response_200_links import ApiKeysRotateResponse200Links
from .api_keys_update_body import ApiKeysUpdateBody
from .api_keys_update_body_scopes_item import ApiKeysUpdateBodyScopesItem
from .api_keys_update_response_200 import ApiKeysUpdateResponse200
from .api_keys_update_response_200_links import ApiKeysUpdateResponse200Links
from .audit_entry import AuditEntry
from .audit_entry_actor import AuditEntryActor
from .audit_entry_actor_type import AuditEntryActorType
from .audit_entry_changes import AuditEntryChanges
from .audit_entry_mode import AuditEntryMode
from .audit_entry_resource import AuditEntryResource
from .audit_log_list_response_200 import AuditLogListResponse200
from .audit_log_list_response_200_links import AuditLogListResponse200Links
from .auth_login_body import AuthLoginBody
from .auth_login_body_mode import AuthLoginBodyMode
from .auth_login_response_200 import AuthLoginResponse200
from .auth_login_response_200_links import AuthLoginResponse200Links
from .auth_logout_body import AuthLogoutBody
from .auth_logout_response_200 import AuthLogoutResponse200
from .auth_logout_response_200_links import AuthLogoutResponse200Links
from .auth_refresh_body import AuthRefreshBody
from .auth_refresh_body_mode import AuthRefreshBodyMode
from .auth_refresh_response_200 import AuthRefreshResponse200
from .auth_refresh_response_200_links import AuthRefreshResponse200Links
from .auth_signup_body import AuthSignupBody
from .auth_signup_response_201 import AuthSignupResponse201
from .auth_signup_response_201_links import AuthSignupResponse201Links
from .batch_upsert_result import BatchUpsertResult
from .batch_upsert_result_results_item import BatchUpsertResultResultsItem
from .batch_upsert_result_results_item_error import BatchUpsertResultResultsItemError
from .batch_upsert_result_results_item_error_details_item import (
    BatchUpsertResultResultsItemErrorDetailsItem,
)
from .batch_upsert_result_results_item_status import BatchUpsertResultResultsItemStatus
from .consent_record import ConsentRecord
from .consent_record_status import ConsentRecordStatus
from .contact import Contact
from .contact_custom_fields import ContactCustomFields
from .contact_segment import ContactSegment
from .contact_segments_list_response_200 import ContactSegmentsListResponse200
from .contact_segments_list_response_200_links import (
    ContactSegmentsListResponse200Links,
)
from .contact_subscription_status import ContactSubscriptionStatus
from .contacts_add_tags_body import ContactsAddTagsBody
from .contacts_add_tags_response_200 import ContactsAddTagsResponse200
from .contacts_add_tags_response_200_links import ContactsAddTagsResponse200Links
from .contacts_batch_body import ContactsBatchBody
from .contacts_batch_body_match_on import ContactsBatchBodyMatchOn
from .contacts_batch_response_200 import ContactsBatchResponse200
from .contacts_batch_response_200_links import ContactsBatchResponse200Links
from .contacts_consent_response_200 import ContactsConsentResponse200
from .contacts_consent_response_200_links import ContactsConsentResponse200Links
from .contacts_create_body import ContactsCreateBody
from .contacts_create_body_custom_fields import ContactsCreateBodyCustomFields
from .contacts_create_body_subscription_status import (
    ContactsCreateBodySubscriptionStatus,
)
from .contacts_create_response_201 import ContactsCreateResponse201
from .contacts_create_response_201_links import ContactsCreateResponse201Links
from .contacts_get_response_200 import ContactsGetResponse200
from .contacts_get_response_200_links import ContactsGetResponse200Links
from .contacts_list_activities_response_200 import ContactsListActivitiesResponse200
from .contacts_list_activities_response_200_links import (
    ContactsListActivitiesResponse200Links,
)
from .contacts_list_response_200 import ContactsListResponse200
from .contacts_list_response_200_links import ContactsListResponse200Links
from .contacts_merge_body import ContactsMergeBody
from .contacts_merge_response_200 import ContactsMergeResponse200
from .contacts_merge_response_200_links import ContactsMergeResponse200Links
from .contacts_record_activity_body import ContactsRecordActivityBody
from .contacts_record_activity_body_properties import (
    ContactsRecordActivityBodyProperties,
)
from .contacts_record_activity_response_201 import ContactsRecordActivityResponse201
from .contacts_record_activity_response_201_links import (
    ContactsRecordActivityResponse201Links,
)
from .contacts_remove_tags_body import ContactsRemoveTagsBody
from .contacts_remove_tags_response_200 import ContactsRemoveTagsResponse200
from .contacts_remove_tags_response_200_links import ContactsRemoveTagsResponse200Links
from .contacts_request_confirmation_response_201 import (
    ContactsRequestConfirmationResponse201,
)
from .contacts_request_confirmation_response_201_links import (
    ContactsRequestConfirmationResponse201Links,
)
from .contacts_unsubscribe_token_response_200 import ContactsUnsubscribeTokenResponse200
from .contacts_unsubscribe_token_response_200_links import (
    ContactsUnsubscribeTokenResponse200Links,
)
from .contacts_update_body import ContactsUpdateBody
from .contacts_update_body_custom_fields import ContactsUpdateBodyCustomFields
from .contacts_update_body_subscription_status import (
    ContactsUpdateBodySubscriptionStatus,
)
from .contacts_update_response_200 import ContactsUpdateResponse200
from .contacts_update_response_200_links import ContactsUpdateResponse200Links
from .contacts_upsert_by_external_id_body import ContactsUpsertByExternalIdBody
from .contacts_upsert_by_external_id_body_custom_fields import (
    ContactsUpsertByExternalIdBodyCustomFields,
)
from .contacts_upsert_by_external_id_body_subscription_status import (
    ContactsUpsertByExternalIdBodySubscriptionStatus,
)
from .contacts_upsert_by_external_id_response_200 import (
    ContactsUpsertByExternalIdResponse200,
)
from .contacts_upsert_by_external_id_response_200_links import (
    ContactsUpsertByExternalIdResponse200Links,
)
from .contacts_upsert_by_external_id_response_201 import (
    ContactsUpsertByExternalIdResponse201,
)
from .contacts_upsert_by_external_id_response_201_links import (
    ContactsUpsertByExternalIdResponse201Links,
)
from .custom_field import CustomField
from .custom_field_aggregate import CustomFieldAggregate
from .custom_field_aggregate_top_values_item import CustomFieldAggregateTopValuesItem
from .custom_field_aggregate_type import CustomFieldAggregateType
from .custom_field_type import CustomFieldType
from .custom_fields_aggregate_response_200 import CustomFieldsAggregateResponse200
from .custom_fields_aggregate_response_200_links import (
    CustomFieldsAggregateResponse200Links,
)
from .custom_fields_create_body import CustomFieldsCreateBody
from .custom_fields_create_body_type import CustomFieldsCreateBodyType
from .custom_fields_create_response_201 import CustomFieldsCreateResponse201
from .custom_fields_create_response_201_links import CustomFieldsCreateResponse201Links
from .custom_fields_get_response_200 import CustomFieldsGetResponse200
from .custom_fields_get_response_200_links import CustomFieldsGetResponse200Links
from .custom_fields_list_response_200 import CustomFieldsListResponse200
from .custom_fields_list_response_200_links import CustomFieldsListResponse200Links
from .custom_fields_update_body import CustomFieldsUpdateBody
from .custom_fields_update_body_type import CustomFieldsUpdateBodyType
from .custom_fields_update_response_200 import CustomFieldsUpdateResponse200
from .custom_fields_update_response_200_links import CustomFieldsUpdateResponse200Links
from .delivery import Delivery
from .delivery_attempt import DeliveryAttempt
from .delivery_detail import DeliveryDetail
from .delivery_detail_status import DeliveryDetailStatus
from .delivery_status import DeliveryStatus
from .error import Error
from .error_error import ErrorError
from .error_error_code import ErrorErrorCode
from .error_error_details_item import ErrorErrorDetailsItem
from .error_error_type import ErrorErrorType
from .event_type import EventType
from .event_type_schema import EventTypeSchema
from .event_types_list_response_200 import EventTypesListResponse200
from .event_types_list_response_200_links import EventTypesListResponse200Links
from .import_ import Import
from .import_format import ImportFormat
from .import_match_on import ImportMatchOn
from .import_mode import ImportMode
from .import_status import ImportStatus
from .imports_cancel_response_200 import ImportsCancelResponse200
from .imports_cancel_response_200_links import ImportsCancelResponse200Links
from .imports_create_body import ImportsCreateBody
from .imports_create_body_options import ImportsCreateBodyOptions
from .imports_create_body_options_format import ImportsCreateBodyOptionsFormat
from .imports_create_body_options_mapping import ImportsCreateBodyOptionsMapping
from .imports_create_body_options_match_on import ImportsCreateBodyOptionsMatchOn
from .imports_create_body_options_mode import ImportsCreateBodyOptionsMode
from .imports_create_response_202 import ImportsCreateResponse202
from .imports_create_response_202_links import ImportsCreateResponse202Links
from .imports_get_response_200 import ImportsGetResponse200
from .imports_get_response_200_links import ImportsGetResponse200Links
from .invitation import Invitation
from .invitation_role import InvitationRole
from .list_ import List
from .list_member import ListMember
from .list_member_custom_fields import ListMemberCustomFields
from .list_members_change import ListMembersChange
from .list_members_change_results_item import ListMembersChangeResultsItem
from .list_members_change_results_item_status import ListMembersChangeResultsItemStatus
from .lists_add_members_body import ListsAddMembersBody
from .lists_add_members_response_200 import ListsAddMembersResponse200
from .lists_add_members_response_200_links import ListsAddMembersResponse200Links
from .lists_create_body import ListsCreateBody
from .lists_create_response_201 import ListsCreateResponse201
from .lists_create_response_201_links import ListsCreateResponse201Links
from .lists_export_format import ListsExportFormat
from .lists_get_response_200 import ListsGetResponse200
from .lists_get_response_200_links import ListsGetResponse200Links
from .lists_list_response_200 import ListsListResponse200
from .lists_list_response_200_links import ListsListResponse200Links
from .lists_members_response_200 import ListsMembersResponse200
from .lists_members_response_200_links import ListsMembersResponse200Links
from .lists_remove_members_body import ListsRemoveMembersBody
from .lists_remove_members_response_200 import ListsRemoveMembersResponse200
from .lists_remove_members_response_200_links import ListsRemoveMembersResponse200Links
from .lists_update_body import ListsUpdateBody
from .lists_update_response_200 import ListsUpdateResponse200
from .lists_update_response_200_links import ListsUpdateResponse200Links
from .logout_result import LogoutResult
from .me import Me
from .me_credential_type_0 import MeCredentialType0
from .me_credential_type_0_environment import MeCredentialType0Environment
from .me_credential_type_1 import MeCredentialType1
from .me_me_response_200 import MeMeResponse200
from .me_me_response_200_links import MeMeResponse200Links
from .me_mode import MeMode
from .me_tenant import MeTenant
from .me_tenant_plan import MeTenantPlan
from .member import Member
from .member_role import MemberRole
from .members_accept_body import MembersAcceptBody
from .members_accept_response_200 import MembersAcceptResponse200
from .members_accept_response_200_links import MembersAcceptResponse200Links
from .members_invite_body import MembersInviteBody
from .members_invite_body_role import MembersInviteBodyRole
from .members_invite_response_201 import MembersInviteResponse201
from .members_invite_response_201_links import MembersInviteResponse201Links
from .members_list_invitations_response_200 import MembersListInvitationsResponse200
from .members_list_invitations_response_200_links import (
    MembersListInvitationsResponse200Links,
)
from .members_list_response_200 import MembersListResponse200
from .members_list_response_200_links import MembersListResponse200Links
from .members_update_body import MembersUpdateBody
from .members_update_body_role import MembersUpdateBodyRole
from .members_update_response_200 import MembersUpdateResponse200
from .members_update_response_200_links import MembersUpdateResponse200Links
from .merge_result import MergeResult
from .meta import Meta
from .pending_invitation import PendingInvitation
from .pending_invitation_role import PendingInvitationRole
from .platform_health import PlatformHealth
from .platform_health_health_response_200 import PlatformHealthHealthResponse200
from .platform_health_health_response_200_links import (
    PlatformHealthHealthResponse200Links,
)
from .platform_health_services import PlatformHealthServices
from .platform_health_services_additional_property import (
    PlatformHealthServicesAdditionalProperty,
)
from .platform_health_status import PlatformHealthStatus
from .recovery import Recovery
from .recovery_status import RecoveryStatus
from .segment import Segment
from .segment_contact import SegmentContact
from .segment_contact_custom_fields import SegmentContactCustomFields
from .segment_count import SegmentCount
from .segment_count_status import SegmentCountStatus
from .segment_history_point import SegmentHistoryPoint
from .segment_preview import SegmentPreview
from .segment_rules import SegmentRules
from .segment_status import SegmentStatus
from .segments_contacts_response_200 import SegmentsContactsResponse200
from .segments_contacts_response_200_links import SegmentsContactsResponse200Links
from .segments_count_response_200 import SegmentsCountResponse200
from .segments_count_response_200_links import SegmentsCountResponse200Links
from .segments_create_body import SegmentsCreateBody
from .segments_create_response_201 import SegmentsCreateResponse201
from .segments_create_response_201_links import SegmentsCreateResponse201Links
from .segments_export_format import SegmentsExportFormat
from .segments_get_response_200 import SegmentsGetResponse200
from .segments_get_response_200_links import SegmentsGetResponse200Links
from .segments_history_interval import SegmentsHistoryInterval
from .segments_history_response_200 import SegmentsHistoryResponse200
from .segments_history_response_200_links import SegmentsHistoryResponse200Links
from .segments_list_response_200 import SegmentsListResponse200
from .segments_list_response_200_links import SegmentsListResponse200Links
from .segments_preview_body import SegmentsPreviewBody
from .segments_preview_response_200 import SegmentsPreviewResponse200
from .segments_preview_response_200_links import SegmentsPreviewResponse200Links
from .segments_update_body import SegmentsUpdateBody
from .segments_update_response_200 import SegmentsUpdateResponse200
from .segments_update_response_200_links import SegmentsUpdateResponse200Links
from .session_switch_switch_tenant_body import SessionSwitchSwitchTenantBody
from .session_switch_switch_tenant_response_200 import (
    SessionSwitchSwitchTenantResponse200,
)
from .session_switch_switch_tenant_response_200_links import (
    SessionSwitchSwitchTenantResponse200Links,
)
from .session_switch_tenants_response_200 import SessionSwitchTenantsResponse200
from .session_switch_tenants_response_200_links import (
    SessionSwitchTenantsResponse200Links,
)
from .session_tokens import SessionTokens
from .session_tokens_mode import SessionTokensMode
from .settings_get_response_200 import SettingsGetResponse200
from .settings_get_response_200_links import SettingsGetResponse200Links
from .settings_update_body import SettingsUpdateBody
from .settings_update_body_leaked_key_policy import SettingsUpdateBodyLeakedKeyPolicy
from .settings_update_response_200 import SettingsUpdateResponse200
from .settings_update_response_200_links import SettingsUpdateResponse200Links
from .signup_result import SignupResult
from .signup_result_mode import SignupResultMode
from .signup_result_tenant import SignupResultTenant
from .signup_result_tenant_plan import SignupResultTenantPlan
from .signup_result_user import SignupResultUser
from .subscription_change import SubscriptionChange
from .subscription_change_subscription_status import (
    SubscriptionChangeSubscriptionStatus,
)
from .subscription_token import SubscriptionToken
from .subscriptions_confirm_body import SubscriptionsConfirmBody
from .subscriptions_confirm_response_200 import SubscriptionsConfirmResponse200
from .subscriptions_confirm_response_200_links import (
    SubscriptionsConfirmResponse200Links,
)
from .subscriptions_unsubscribe_data_body import SubscriptionsUnsubscribeDataBody
from .subscriptions_unsubscribe_files_body import SubscriptionsUnsubscribeFilesBody
from .subscriptions_unsubscribe_json_body import SubscriptionsUnsubscribeJsonBody
from .subscriptions_unsubscribe_response_200 import SubscriptionsUnsubscribeResponse200
from .subscriptions_unsubscribe_response_200_links import (
    SubscriptionsUnsubscribeResponse200Links,
)
from .suppression import Suppression
from .suppressions_create_body import SuppressionsCreateBody
from .suppressions_create_response_201 import SuppressionsCreateResponse201
from .suppressions_create_response_201_links import SuppressionsCreateResponse201Links
from .suppressions_list_response_200 import SuppressionsListResponse200
from .suppressions_list_response_200_links import SuppressionsListResponse200Links
from .tenant_limits import TenantLimits
from .tenant_settings import TenantSettings
from .tenant_settings_leaked_key_policy import TenantSettingsLeakedKeyPolicy
from .usage_day import UsageDay
from .usage_series_row import UsageSeriesRow
from .usage_series_row_outcomes import UsageSeriesRowOutcomes
from .usage_series_row_routes import UsageSeriesRowRoutes
from .usage_usage_group_by import UsageUsageGroupBy
from .usage_usage_interval import UsageUsageInterval
from .usage_usage_response_200 import UsageUsageResponse200
from .usage_usage_response_200_links import UsageUsageResponse200Links
from .user_tenant import UserTenant
from .user_tenant_role import UserTenantRole
from .webhook import Webhook
from .webhook_headers import WebhookHeaders
from .webhook_ordering import WebhookOrdering
from .webhook_payload import WebhookPayload
from .webhook_stats import WebhookStats
from .webhook_stats_window import WebhookStatsWindow
from .webhook_with_secret import WebhookWithSecret
from .webhook_with_secret_headers import WebhookWithSecretHeaders
from .webhook_with_secret_ordering import WebhookWithSecretOrdering
from .webhooks_create_body import WebhooksCreateBody
from .webhooks_create_body_headers_type_0 import WebhooksCreateBodyHeadersType0
from .webhooks_create_body_ordering import WebhooksCreateBodyOrdering
from .webhooks_create_response_201 import WebhooksCreateResponse201
from .webhooks_create_response_201_links import WebhooksCreateResponse201Links
from .webhooks_get_delivery_response_200 import WebhooksGetDeliveryResponse200
from .webhooks_get_delivery_response_200_links import (
    WebhooksGetDeliveryResponse200Links,
)
from .webhooks_get_recovery_response_200 import WebhooksGetRecoveryResponse200
from .webhooks_get_recovery_response_200_links import (
    WebhooksGetRecoveryResponse200Links,
)
from .webhooks_get_response_200 import WebhooksGetResponse200
from .webhooks_get_response_200_links import WebhooksGetResponse200Links
from .webhooks_list_deliveries_response_200 import WebhooksListDeliveriesResponse200
from .webhooks_list_deliveries_response_200_links import (
    WebhooksListDeliveriesResponse200Links,
)
from .webhooks_list_deliveries_status import WebhooksListDeliveriesStatus
from .webhooks_list_response_200 import WebhooksListResponse200
from .webhooks_list_response_200_links import WebhooksListResponse200Links
from .webhooks_recover_body import WebhooksRecoverBody
from .webhooks_recover_response_202 import WebhooksRecoverResponse202
from .webhooks_recover_response_202_links import WebhooksRecoverResponse202Links
from .webhooks_retry_delivery_response_200 import WebhooksRetryDeliveryResponse200
from .webhooks_retry_delivery_response_200_links import (
    WebhooksRetryDeliveryResponse200Links,
)
from .webhooks_rotate_secret_response_200 import WebhooksRotateSecretResponse200
from .webhooks_rotate_secret_response_200_links import (
    WebhooksRotateSecretResponse200Links,
)
from .webhooks_send_test_response_201 import WebhooksSendTestResponse201
from .webhooks_send_test_response_201_links import WebhooksSendTestResponse201Links
from .webhooks_stats_response_200 import WebhooksStatsResponse200
from .webhooks_stats_response_200_links import WebhooksStatsResponse200Links
from .webhooks_stats_window import WebhooksStatsWindow
from .webhooks_update_body import WebhooksUpdateBody
from .webhooks_update_body_headers_type_0 import WebhooksUpdateBodyHeadersType0
from .webhooks_update_body_ordering import WebhooksUpdateBodyOrdering
from .webhooks_update_response_200 import WebhooksUpdateResponse200
from .webhooks_update_response_200_links import WebhooksUpdateResponse200Links

__all__ = (
    "AcceptedInvitation",
    "AcceptedInvitationMode",
    "AcceptedInvitationTenant",
    "AcceptedInvitationUser",
    "AcceptedInvitationUserRole",
    "Activity",
    "ActivityProperties",
    "ApiKey",
    "ApiKeyEnvironment",
    "ApiKeyStatus",
    "ApiKeyWithSecret",
    "ApiKeyWithSecretEnvironment",
    "ApiKeyWithSecretStatus",
    "ApiKeysCreateBody",
    "ApiKeysCreateBodyEnvironment",
    "ApiKeysCreateBodyScopesItem",
    "ApiKeysCreateResponse201",
    "ApiKeysCreateResponse201Links",
    "ApiKeysGetResponse200",
    "ApiKeysGetResponse200Links",
    "ApiKeysListResponse200",
    "ApiKeysListResponse200Links",
    "ApiKeysRotateBody",
    "ApiKeysRotateResponse200",
    "ApiKeysRotateResponse200Links",
    "ApiKeysUpdateBody",
    "ApiKeysUpdateBodyScopesItem",
    "ApiKeysUpdateResponse200",
    "ApiKeysUpdateResponse200Links",
    "AuditEntry",
    "AuditEntryActor",
    "AuditEntryActorType",
    "AuditEntryChanges",
    "AuditEntryMode",
    "AuditEntryResource",
    "AuditLogListResponse200",
    "AuditLogListResponse200Links",
    "AuthLoginBody",
    "AuthLoginBodyMode",
    "AuthLoginResponse200",
    "AuthLoginResponse200Links",
    "AuthLogoutBody",
    "AuthLogoutResponse200",
    "AuthLogoutResponse200Links",
    "AuthRefreshBody",
    "AuthRefreshBodyMode",
    "AuthRefreshResponse200",
    "AuthRefreshResponse200Links",
    "AuthSignupBody",
    "AuthSignupResponse201",
    "AuthSignupResponse201Links",
    "BatchUpsertResult",
    "BatchUpsertResultResultsItem",
    "BatchUpsertResultResultsItemError",
    "BatchUpsertResultResultsItemErrorDetailsItem",
    "BatchUpsertResultResultsItemStatus",
    "ConsentRecord",
    "ConsentRecordStatus",
    "Contact",
    "ContactCustomFields",
    "ContactSegment",
    "ContactSegmentsListResponse200",
    "ContactSegmentsListResponse200Links",
    "ContactSubscriptionStatus",
    "ContactsAddTagsBody",
    "ContactsAddTagsResponse200",
    "ContactsAddTagsResponse200Links",
    "ContactsBatchBody",
    "ContactsBatchBodyMatchOn",
    "ContactsBatchResponse200",
    "ContactsBatchResponse200Links",
    "ContactsConsentResponse200",
    "ContactsConsentResponse200Links",
    "ContactsCreateBody",
    "ContactsCreateBodyCustomFields",
    "ContactsCreateBodySubscriptionStatus",
    "ContactsCreateResponse201",
    "ContactsCreateResponse201Links",
    "ContactsGetResponse200",
    "ContactsGetResponse200Links",
    "ContactsListActivitiesResponse200",
    "ContactsListActivitiesResponse200Links",
    "ContactsListResponse200",
    "ContactsListResponse200Links",
    "ContactsMergeBody",
    "ContactsMergeResponse200",
    "ContactsMergeResponse200Links",
    "ContactsRecordActivityBody",
    "ContactsRecordActivityBodyProperties",
    "ContactsRecordActivityResponse201",
    "ContactsRecordActivityResponse201Links",
    "ContactsRemoveTagsBody",
    "ContactsRemoveTagsResponse200",
    "ContactsRemoveTagsResponse200Links",
    "ContactsRequestConfirmationResponse201",
    "ContactsRequestConfirmationResponse201Links",
    "ContactsUnsubscribeTokenResponse200",
    "ContactsUnsubscribeTokenResponse200Links",
    "ContactsUpdateBody",
    "ContactsUpdateBodyCustomFields",
    "ContactsUpdateBodySubscriptionStatus",
    "ContactsUpdateResponse200",
    "ContactsUpdateResponse200Links",
    "ContactsUpsertByExternalIdBody",
    "ContactsUpsertByExternalIdBodyCustomFields",
    "ContactsUpsertByExternalIdBodySubscriptionStatus",
    "ContactsUpsertByExternalIdResponse200",
    "ContactsUpsertByExternalIdResponse200Links",
    "ContactsUpsertByExternalIdResponse201",
    "ContactsUpsertByExternalIdResponse201Links",
    "CustomField",
    "CustomFieldAggregate",
    "CustomFieldAggregateTopValuesItem",
    "CustomFieldAggregateType",
    "CustomFieldType",
    "CustomFieldsAggregateResponse200",
    "CustomFieldsAggregateResponse200Links",
    "CustomFieldsCreateBody",
    "CustomFieldsCreateBodyType",
    "CustomFieldsCreateResponse201",
    "CustomFieldsCreateResponse201Links",
    "CustomFieldsGetResponse200",
    "CustomFieldsGetResponse200Links",
    "CustomFieldsListResponse200",
    "CustomFieldsListResponse200Links",
    "CustomFieldsUpdateBody",
    "CustomFieldsUpdateBodyType",
    "CustomFieldsUpdateResponse200",
    "CustomFieldsUpdateResponse200Links",
    "Delivery",
    "DeliveryAttempt",
    "DeliveryDetail",
    "DeliveryDetailStatus",
    "DeliveryStatus",
    "Error",
    "ErrorError",
    "ErrorErrorCode",
    "ErrorErrorDetailsItem",
    "ErrorErrorType",
    "EventType",
    "EventTypeSchema",
    "EventTypesListResponse200",
    "EventTypesListResponse200Links",
    "Import",
    "ImportFormat",
    "ImportMatchOn",
    "ImportMode",
    "ImportStatus",
    "ImportsCancelResponse200",
    "ImportsCancelResponse200Links",
    "ImportsCreateBody",
    "ImportsCreateBodyOptions",
    "ImportsCreateBodyOptionsFormat",
    "ImportsCreateBodyOptionsMapping",
    "ImportsCreateBodyOptionsMatchOn",
    "ImportsCreateBodyOptionsMode",
    "ImportsCreateResponse202",
    "ImportsCreateResponse202Links",
    "ImportsGetResponse200",
    "ImportsGetResponse200Links",
    "Invitation",
    "InvitationRole",
    "List",
    "ListMember",
    "ListMemberCustomFields",
    "ListMembersChange",
    "ListMembersChangeResultsItem",
    "ListMembersChangeResultsItemStatus",
    "ListsAddMembersBody",
    "ListsAddMembersResponse200",
    "ListsAddMembersResponse200Links",
    "ListsCreateBody",
    "ListsCreateResponse201",
    "ListsCreateResponse201Links",
    "ListsExportFormat",
    "ListsGetResponse200",
    "ListsGetResponse200Links",
    "ListsListResponse200",
    "ListsListResponse200Links",
    "ListsMembersResponse200",
    "ListsMembersResponse200Links",
    "ListsRemoveMembersBody",
    "ListsRemoveMembersResponse200",
    "ListsRemoveMembersResponse200Links",
    "ListsUpdateBody",
    "ListsUpdateResponse200",
    "ListsUpdateResponse200Links",
    "LogoutResult",
    "Me",
    "MeCredentialType0",
    "MeCredentialType0Environment",
    "MeCredentialType1",
    "MeMeResponse200",
    "MeMeResponse200Links",
    "MeMode",
    "MeTenant",
    "MeTenantPlan",
    "Member",
    "MemberRole",
    "MembersAcceptBody",
    "MembersAcceptResponse200",
    "MembersAcceptResponse200Links",
    "MembersInviteBody",
    "MembersInviteBodyRole",
    "MembersInviteResponse201",
    "MembersInviteResponse201Links",
    "MembersListInvitationsResponse200",
    "MembersListInvitationsResponse200Links",
    "MembersListResponse200",
    "MembersListResponse200Links",
    "MembersUpdateBody",
    "MembersUpdateBodyRole",
    "MembersUpdateResponse200",
    "MembersUpdateResponse200Links",
    "MergeResult",
    "Meta",
    "PendingInvitation",
    "PendingInvitationRole",
    "PlatformHealth",
    "PlatformHealthHealthResponse200",
    "PlatformHealthHealthResponse200Links",
    "PlatformHealthServices",
    "PlatformHealthServicesAdditionalProperty",
    "PlatformHealthStatus",
    "Recovery",
    "RecoveryStatus",
    "Segment",
    "SegmentContact",
    "SegmentContactCustomFields",
    "SegmentCount",
    "SegmentCountStatus",
    "SegmentHistoryPoint",
    "SegmentPreview",
    "SegmentRules",
    "SegmentStatus",
    "SegmentsContactsResponse200",
    "SegmentsContactsResponse200Links",
    "SegmentsCountResponse200",
    "SegmentsCountResponse200Links",
    "SegmentsCreateBody",
    "SegmentsCreateResponse201",
    "SegmentsCreateResponse201Links",
    "SegmentsExportFormat",
    "SegmentsGetResponse200",
    "SegmentsGetResponse200Links",
    "SegmentsHistoryInterval",
    "SegmentsHistoryResponse200",
    "SegmentsHistoryResponse200Links",
    "SegmentsListResponse200",
    "SegmentsListResponse200Links",
    "SegmentsPreviewBody",
    "SegmentsPreviewResponse200",
    "SegmentsPreviewResponse200Links",
    "SegmentsUpdateBody",
    "SegmentsUpdateResponse200",
    "SegmentsUpdateResponse200Links",
    "SessionSwitchSwitchTenantBody",
    "SessionSwitchSwitchTenantResponse200",
    "SessionSwitchSwitchTenantResponse200Links",
    "SessionSwitchTenantsResponse200",
    "SessionSwitchTenantsResponse200Links",
    "SessionTokens",
    "SessionTokensMode",
    "SettingsGetResponse200",
    "SettingsGetResponse200Links",
    "SettingsUpdateBody",
    "SettingsUpdateBodyLeakedKeyPolicy",
    "SettingsUpdateResponse200",
    "SettingsUpdateResponse200Links",
    "SignupResult",
    "SignupResultMode",
    "SignupResultTenant",
    "SignupResultTenantPlan",
    "SignupResultUser",
    "SubscriptionChange",
    "SubscriptionChangeSubscriptionStatus",
    "SubscriptionToken",
    "SubscriptionsConfirmBody",
    "SubscriptionsConfirmResponse200",
    "SubscriptionsConfirmResponse200Links",
    "SubscriptionsUnsubscribeDataBody",
    "SubscriptionsUnsubscribeFilesBody",
    "SubscriptionsUnsubscribeJsonBody",
    "SubscriptionsUnsubscribeResponse200",
    "SubscriptionsUnsubscribeResponse200Links",
    "Suppression",
    "SuppressionsCreateBody",
    "SuppressionsCreateResponse201",
    "SuppressionsCreateResponse201Links",
    "SuppressionsListResponse200",
    "SuppressionsListResponse200Links",
    "TenantLimits",
    "TenantSettings",
    "TenantSettingsLeakedKeyPolicy",
    "UsageDay",
    "UsageSeriesRow",
    "UsageSeriesRowOutcomes",
    "UsageSeriesRowRoutes",
    "UsageUsageGroupBy",
    "UsageUsageInterval",
    "UsageUsageResponse200",
    "UsageUsageResponse200Links",
    "UserTenant",
    "UserTenantRole",
    "Webhook",
    "WebhookHeaders",
    "WebhookOrdering",
    "WebhookPayload",
    "WebhookStats",
    "WebhookStatsWindow",
    "WebhookWithSecret",
    "WebhookWithSecretHeaders",
    "WebhookWithSecretOrdering",
    "WebhooksCreateBody",
    "WebhooksCreateBodyHeadersType0",
    "WebhooksCreateBodyOrdering",
    "WebhooksCreateResponse201",
    "WebhooksCreateResponse201Links",
    "WebhooksGetDeliveryResponse200",
    "WebhooksGetDeliveryResponse200Links",
    "WebhooksGetRecoveryResponse200",
    "WebhooksGetRecoveryResponse200Links",
    "WebhooksGetResponse200",
    "WebhooksGetResponse200Links",
    "WebhooksListDeliveriesResponse200",
    "WebhooksListDeliveriesResponse200Links",
    "WebhooksListDeliveriesStatus",
    "WebhooksListResponse200",
    "WebhooksListResponse200Links",
    "WebhooksRecoverBody",
    "WebhooksRecoverResponse202",
    "WebhooksRecoverResponse202Links",
    "WebhooksRetryDeliveryResponse200",
    "WebhooksRetryDeliveryResponse200Links",
    "WebhooksRotateSecretResponse200",
    "WebhooksRotateSecretResponse200Links",
    "WebhooksSendTestResponse201",
    "WebhooksSendTestResponse201Links",
    "WebhooksStatsResponse200",
    "WebhooksStatsResponse200Links",
    "WebhooksStatsWindow",
    "WebhooksUpdateBody",
    "WebhooksUpdateBodyHeadersType0",
    "WebhooksUpdateBodyOrdering",
    "WebhooksUpdateResponse200",
    "WebhooksUpdateResponse200Links",
)
