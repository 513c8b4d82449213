"""The resource models the facade returns (``Contact``, ``Webhook``, ``ApiKey``,
…), generated from the OpenAPI document's schemas into ``sigil.generated``;
re-exported here under a stable name. ``Model.from_dict`` / ``to_dict``
convert from and to JSON."""

from .generated.models import *  # every generated model, re-exported
