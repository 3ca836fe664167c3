"""The DRF app's cities: a ForeignKey written as its id and shown whole under ``?expand=country``
(as drf-flex-fields expands it: ``expand=a,b`` or repeated ``expand`` parameters)."""

from __future__ import annotations

from typing import Any


def register(router: Any) -> None:
    """Add ``/api/countries/`` and ``/api/cities/`` to the app's ``router``."""
    from rest_framework import serializers, viewsets

    from tests.servers.drfapp.models import City, Country

    class CountrySerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
        class Meta:
            model = Country
            fields = ("id", "name")
            read_only_fields = ("id",)

    class CitySerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
        class Meta:
            model = City
            fields = ("id", "name", "country")
            read_only_fields = ("id",)

        def to_representation(self, instance):  # type: ignore[no-untyped-def]
            data = super().to_representation(instance)
            request = self.context.get("request")
            asked = request.query_params.getlist("expand") if request is not None else []
            if "country" in {name for value in asked for name in value.split(",")}:
                data["country"] = CountrySerializer(instance.country).data
            return data

    class CountryViewSet(viewsets.ModelViewSet):  # type: ignore[type-arg]
        serializer_class = CountrySerializer
        queryset = Country.objects.all()

    class CityViewSet(viewsets.ModelViewSet):  # type: ignore[type-arg]
        serializer_class = CitySerializer

        def get_queryset(self):  # type: ignore[no-untyped-def]
            return City.objects.filter(owner=self.request.user)

        def perform_create(self, serializer):  # type: ignore[no-untyped-def]
            serializer.save(owner=self.request.user)

    router.register("countries", CountryViewSet, basename="country")
    router.register("cities", CityViewSet, basename="city")


def seed() -> None:
    """Two countries, once."""
    from tests.servers.drfapp.models import Country

    if not Country.objects.exists():
        Country.objects.create(name="Norway")
        Country.objects.create(name="Sweden")
