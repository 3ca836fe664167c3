"""The DRF app's price list: each user's own ``Price`` rows under ``/api/prices/``."""

from __future__ import annotations

from typing import Any


def register(router: Any) -> None:
    """Add the price list's routes to the app's ``router``."""
    from rest_framework import serializers, viewsets

    from tests.servers.drfapp.models import Price

    class PriceSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
        class Meta:
            model = Price
            fields = ("id", "label", "amount")
            read_only_fields = ("id",)

    class PriceViewSet(viewsets.ModelViewSet):  # type: ignore[type-arg]
        serializer_class = PriceSerializer

        def get_queryset(self):  # type: ignore[no-untyped-def]
            return Price.objects.filter(owner=self.request.user)

        def perform_create(self, serializer):  # type: ignore[no-untyped-def]
            serializer.save(owner=self.request.user)

    router.register("prices", PriceViewSet, basename="price")
