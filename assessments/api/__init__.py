"""The REST API (`/api/v1`) and the outgoing webhooks: how a brand's other systems reach it.

Why django-ninja rather than Django REST framework: the schemas are pydantic types that both
validate input and generate the OpenAPI 3.1 document, so the document cannot drift from the
code; endpoints are plain typed functions, which suits our thin views over services and
selectors. DRF would need serializers, viewsets and drf-spectacular (OpenAPI 3.0 by default) for
the same result, and its generic views invite ORM writes in views.

Every request carries a brand's key (`keys.py`); every read goes through `selectors.py`, scoped
to that brand, so another brand's ids are simply not found. Errors are RFC 9457 problem
details (`problems.py`). Events leave through `outbox.py` (rows written in the event's own
transaction) and `delivery.py` (signing, the address guard, sending and retrying).
"""
