"""A small Django REST Framework service with token auth, used as a real third-party server.

Run: ``python -m tests.servers.drf_app PORT DBFILE``; prints ``ready`` when listening.
Users ``alice`` and ``bob`` have tokens ``alice-token-0123456789`` and ``bob-token-0123456789``;
each sees only their own articles. ``POST /api/auth/token/`` (DRF's ``obtain_auth_token``) gives a
user's token for their username and password (``PASSWORDS``). Lists use DRF's page-number pagination
(``count``/``next``/``previous``/``results``), and ConditionalGetMiddleware adds ETags.
"""

from __future__ import annotations

import sys

import django
from django.conf import settings

TOKENS = {"alice": "alice-token-0123456789", "bob": "bob-token-0123456789"}
PASSWORDS = {"alice": "alice-password-01", "bob": "bob-password-01"}


def configure(db: str) -> None:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="tests-only",
        ALLOWED_HOSTS=["*"],
        USE_TZ=True,
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "rest_framework",
            "rest_framework.authtoken",
            "tests.servers.drfapp",
        ],
        MIDDLEWARE=["django.middleware.http.ConditionalGetMiddleware"],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": db}},
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],  # tests only: fast
        REST_FRAMEWORK={
            "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
            "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
            "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
            "PAGE_SIZE": 5,
            "UNAUTHENTICATED_USER": None,
        },
    )
    django.setup()


urlpatterns: list[object] = []


def build() -> None:
    from django.urls import include, path
    from rest_framework import routers, serializers, viewsets

    from tests.servers.drfapp.models import Article

    class ArticleSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
        owner = serializers.CharField(source="owner.username", read_only=True)

        class Meta:
            model = Article
            fields = ("id", "title", "body", "tags", "published", "created", "owner")
            read_only_fields = ("id", "created", "owner")

    class ArticleViewSet(viewsets.ModelViewSet):  # type: ignore[type-arg]
        serializer_class = ArticleSerializer

        def get_queryset(self):  # type: ignore[no-untyped-def]
            qs = Article.objects.filter(owner=self.request.user)
            published = self.request.query_params.get("published")
            if published is not None:
                qs = qs.filter(published=published.lower() == "true")
            return qs

        def perform_create(self, serializer):  # type: ignore[no-untyped-def]
            serializer.save(owner=self.request.user)

    router = routers.DefaultRouter()
    router.register("articles", ArticleViewSet, basename="article")
    from tests.servers.drfapp import board, prices

    prices.register(router)
    board.register(router)
    from tests.servers.drfapp import cities

    cities.register(router)
    from rest_framework.authtoken.views import obtain_auth_token

    urlpatterns.append(path("api/auth/token/", obtain_auth_token))
    urlpatterns.append(path("api/", include(router.urls)))


def seed() -> None:
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from tests.servers.drfapp.models import Article

    call_command("migrate", run_syncdb=True, verbosity=0)
    for name, key in TOKENS.items():
        user, _ = User.objects.get_or_create(username=name)
        user.set_password(PASSWORDS[name])
        user.save()
        Token.objects.get_or_create(user=user, key=key)
    from tests.servers.drfapp import cities

    cities.seed()
    alice = User.objects.get(username="alice")
    bob = User.objects.get(username="bob")
    if not Article.objects.exists():
        for i in range(12):
            Article.objects.create(owner=alice, title=f"Alice {i}", tags=["a"], published=i % 2 == 0)
        for i in range(3):
            Article.objects.create(owner=bob, title=f"Bob {i}", tags=["b"])


def main() -> None:
    port, db = int(sys.argv[1]), sys.argv[2]
    configure(db)
    build()
    seed()
    from django.core.wsgi import get_wsgi_application
    from werkzeug.serving import WSGIRequestHandler, make_server

    class Quiet(WSGIRequestHandler):
        def log_request(self, *args: object, **kwargs: object) -> None:
            pass

    server = make_server("127.0.0.1", port, get_wsgi_application(), threaded=True, request_handler=Quiet)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
