from django.conf import settings
from django.db import models


class Article(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    title = models.CharField(max_length=100)
    body = models.TextField(blank=True, default="")
    tags = models.JSONField(default=list, blank=True)
    published = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "drfapp"
        ordering = ("id",)


class Price(models.Model):
    """A price list entry: DRF serializes its DecimalField as text ("12.50")."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    label = models.CharField(max_length=100)
    amount = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        app_label = "drfapp"
        ordering = ("id",)


class Note(models.Model):
    """A note on the public board: anyone reads, signed-in users write."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    text = models.CharField(max_length=200)

    class Meta:
        app_label = "drfapp"
        ordering = ("id",)


class Country(models.Model):
    """A country cities point at (shared by every user)."""

    name = models.CharField(max_length=100)

    class Meta:
        app_label = "drfapp"
        ordering = ("id",)


class City(models.Model):
    """A city whose ``country`` ForeignKey renders as its id, or whole under ``?expand=country``."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    name = models.CharField(max_length=100)
    country = models.ForeignKey(Country, on_delete=models.PROTECT)

    class Meta:
        app_label = "drfapp"
        ordering = ("id",)
