"""Contains all the data models used in inputs/outputs"""

from .api_keys_create_body import ApiKeysCreateBody
from .api_keys_create_body_environment import ApiKeysCreateBodyEnvironment
from .api_keys_create_body_scopes_item import ApiKeysCreateBodyScopesItem
from .api_keys_rotate_body import ApiKeysRotateBody
from .api_keys_update_body import ApiKeysUpdateBody
from .api_keys_update_body_scopes_item import ApiKeysUpdateBodyScopesItem
from .auth_login_body import AuthLoginBody
from .auth_login_body_mode import AuthLoginBodyMode
from .auth_logout_body import AuthLogoutBody
from .auth_refresh_body import AuthRefreshBody
from .auth_refresh_body_mode import AuthRefreshBodyMode
from .auth_signup_body import AuthSignupBody
from .contacts_add_tags_body import ContactsAddTagsBody
from .contacts_batch_body import ContactsBatchBody
from .contacts_batch_body_match_on import ContactsBatchBodyMatchOn
from .contacts_create_body import ContactsCreateBody
from .contacts_create_body_custom_fields import ContactsCreateBodyCustomFields
from .contacts_create_body_phone_type_0 import ContactsCreateBodyPhoneType0
from .contacts_create_body_subscription_status import (
    ContactsCreateBodySubscriptionStatus,
)
from .contacts_merge_body import ContactsMergeBody
from .contacts_record_activity_body import ContactsRecordActivityBody
from .contacts_record_activity_body_properties import (
    ContactsRecordActivityBodyProperties,
)
from .contacts_remove_tags_body import ContactsRemoveTagsBody
from .contacts_update_body import ContactsUpdateBody
from .contacts_update_body_custom_fields import ContactsUpdateBodyCustomFields
from .contacts_update_body_phone_type_0 import ContactsUpdateBodyPhoneType0
from .contacts_update_body_subscription_status import (
    ContactsUpdateBodySubscriptionStatus,
)
from .custom_fields_create_body_type_0 import CustomFieldsCreateBodyType0
from .custom_fields_create_body_type_0_type import CustomFieldsCreateBodyType0Type
from .custom_fields_create_body_type_1 import CustomFieldsCreateBodyType1
from .custom_fields_create_body_type_1_type import CustomFieldsCreateBodyType1Type
from .custom_fields_update_body_type_0 import CustomFieldsUpdateBodyType0
from .custom_fields_update_body_type_0_type import CustomFieldsUpdateBodyType0Type
from .custom_fields_update_body_type_1 import CustomFieldsUpdateBodyType1
from .custom_fields_update_body_type_1_type import CustomFieldsUpdateBodyType1Type
from .envelope import Envelope
from .envelope_links import EnvelopeLinks
from .error import Error
from .error_error import ErrorError
from .error_error_code import ErrorErrorCode
from .error_error_details_item import ErrorErrorDetailsItem
from .error_error_type import ErrorErrorType
from .imports_create_body import ImportsCreateBody
from .imports_create_body_options import ImportsCreateBodyOptions
from .imports_create_body_options_format import ImportsCreateBodyOptionsFormat
from .imports_create_body_options_mapping import ImportsCreateBodyOptionsMapping
from .imports_create_body_options_match_on import ImportsCreateBodyOptionsMatchOn
from .imports_create_body_options_mode import ImportsCreateBodyOptionsMode
from .list_envelope import ListEnvelope
from .list_envelope_links import ListEnvelopeLinks
from .lists_add_members_body import ListsAddMembersBody
from .lists_create_body import ListsCreateBody
from .lists_export_format import ListsExportFormat
from .lists_remove_members_body import ListsRemoveMembersBody
from .lists_update_body import ListsUpdateBody
from .members_accept_body import MembersAcceptBody
from .members_invite_body import MembersInviteBody
from .members_invite_body_role import MembersInviteBodyRole
from .members_update_body import MembersUpdateBody
from .members_update_body_role import MembersUpdateBodyRole
from .meta import Meta
from .segments_create_body import SegmentsCreateBody
from .segments_export_format import SegmentsExportFormat
from .segments_history_interval import SegmentsHistoryInterval
from .segments_preview_body import SegmentsPreviewBody
from .segments_update_body import SegmentsUpdateBody
from .session_switch_switch_tenant_body import SessionSwitchSwitchTenantBody
from .settings_update_body import SettingsUpdateBody
from .settings_update_body_leaked_key_policy import SettingsUpdateBodyLeakedKeyPolicy
from .subscriptions_confirm_body import SubscriptionsConfirmBody
from .subscriptions_unsubscribe_body import SubscriptionsUnsubscribeBody
from .suppressions_create_body import SuppressionsCreateBody
from .usage_usage_group_by import UsageUsageGroupBy
from .usage_usage_interval import UsageUsageInterval
from .webhooks_create_body import WebhooksCreateBody
from .webhooks_create_body_headers_type_0 import WebhooksCreateBodyHeadersType0
from .webhooks_create_body_ordering import WebhooksCreateBodyOrdering
from .webhooks_list_deliveries_status import WebhooksListDeliveriesStatus
from .webhooks_recover_body import WebhooksRecoverBody
from .webhooks_stats_window import WebhooksStatsWindow
from .webhooks_update_body import WebhooksUpdateBody
from .webhooks_update_body_headers_type_0 import WebhooksUpdateBodyHeadersType0
from .webhooks_update_body_ordering import WebhooksUpdateBodyOrdering

__all__ = (
    "ApiKeysCreateBody",
    "ApiKeysCreateBodyEnvironment",
    "ApiKeysCreateBodyScopesItem",
    "ApiKeysRotateBody",
    "ApiKeysUpdateBody",
    "ApiKeysUpdateBodyScopesItem",
    "AuthLoginBody",
    "AuthLoginBodyMode",
    "AuthLogoutBody",
    "AuthRefreshBody",
    "AuthRefreshBodyMode",
    "AuthSignupBody",
    "ContactsAddTagsBody",
    "ContactsBatchBody",
    "ContactsBatchBodyMatchOn",
    "ContactsCreateBody",
    "ContactsCreateBodyCustomFields",
    "ContactsCreateBodyPhoneType0",
    "ContactsCreateBodySubscriptionStatus",
    "ContactsMergeBody",
    "ContactsRecordActivityBody",
    "ContactsRecordActivityBodyProperties",
    "ContactsRemoveTagsBody",
    "ContactsUpdateBody",
    "ContactsUpdateBodyCustomFields",
    "ContactsUpdateBodyPhoneType0",
    "ContactsUpdateBodySubscriptionStatus",
    "CustomFieldsCreateBodyType0",
    "CustomFieldsCreateBodyType0Type",
    "CustomFieldsCreateBodyType1",
    "CustomFieldsCreateBodyType1Type",
    "CustomFieldsUpdateBodyType0",
    "CustomFieldsUpdateBodyType0Type",
    "CustomFieldsUpdateBodyType1",
    "CustomFieldsUpdateBodyType1Type",
    "Envelope",
    "EnvelopeLinks",
    "Error",
    "ErrorError",
    "ErrorErrorCode",
    "ErrorErrorDetailsItem",
    "ErrorErrorType",
    "ImportsCreateBody",
    "ImportsCreateBodyOptions",
    "ImportsCreateBodyOptionsFormat",
    "ImportsCreateBodyOptionsMapping",
    "ImportsCreateBodyOptionsMatchOn",
    "ImportsCreateBodyOptionsMode",
    "ListEnvelope",
    "ListEnvelopeLinks",
    "ListsAddMembersBody",
    "ListsCreateBody",
    "ListsExportFormat",
    "ListsRemoveMembersBody",
    "ListsUpdateBody",
    "MembersAcceptBody",
    "MembersInviteBody",
    "MembersInviteBodyRole",
    "MembersUpdateBody",
    "MembersUpdateBodyRole",
    "Meta",
    "SegmentsCreateBody",
    "SegmentsExportFormat",
    "SegmentsHistoryInterval",
    "SegmentsPreviewBody",
    "SegmentsUpdateBody",
    "SessionSwitchSwitchTenantBody",
    "SettingsUpdateBody",
    "SettingsUpdateBodyLeakedKeyPolicy",
    "SubscriptionsConfirmBody",
    "SubscriptionsUnsubscribeBody",
    "SuppressionsCreateBody",
    "UsageUsageGroupBy",
    "UsageUsageInterval",
    "WebhooksCreateBody",
    "WebhooksCreateBodyHeadersType0",
    "WebhooksCreateBodyOrdering",
    "WebhooksListDeliveriesStatus",
    "WebhooksRecoverBody",
    "WebhooksStatsWindow",
    "WebhooksUpdateBody",
    "WebhooksUpdateBodyHeadersType0",
    "WebhooksUpdateBodyOrdering",
)
