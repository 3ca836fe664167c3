"""The types of the official ``clappform.dataclasses`` module."""

from clientkit_services.clappform.models import (
    Actionflow,
    ApiResponse,
    App,
    Auth,
    Collection,
    Query,
    Questionnaire,
    ResourceType,
    User,
    Version,
)

__all__ = [
    "Actionflow",
    "ApiResponse",
    "App",
    "Auth",
    "Collection",
    "Query",
    "Questionnaire",
    "ResourceType",
    "User",
    "Version",
]
