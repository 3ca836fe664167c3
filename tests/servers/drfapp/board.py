"""The DRF app's public board under ``/api/notes/``: anyone reads (no credentials), writes
need a token, sent as ``Authorization: Token <key>`` or ``Authorization: Bearer <key>``."""

from __future__ import annotations

from typing import Any


def register(router: Any) -> None:
    """Add the board's routes to the app's ``router``."""
    from rest_framework import permissions, serializers, viewsets
    from rest_framework.authentication import TokenAuthentication

    from tests.servers.drfapp.models import Note

    class BearerAuthentication(TokenAuthentication):
        keyword = "Bearer"

    class NoteSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
        owner = serializers.CharField(source="owner.username", read_only=True)

        class Meta:
            model = Note
            fields = ("id", "text", "owner")
            read_only_fields = ("id", "owner")

    class NoteViewSet(viewsets.ModelViewSet):  # type: ignore[type-arg]
        serializer_class = NoteSerializer
        queryset = Note.objects.all()
        authentication_classes = (TokenAuthentication, BearerAuthentication)
        permission_classes = (permissions.IsAuthenticatedOrReadOnly,)

        def perform_create(self, serializer):  # type: ignore[no-untyped-def]
            serializer.save(owner=self.request.user)

    router.register("notes", NoteViewSet, basename="note")
