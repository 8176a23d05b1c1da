"""zhifa — 交通运输行政执法综合管理平台 (transport administrative law-enforcement platform)."""

from .celery import app as celery_app

__all__ = ["celery_app"]
__version__ = "0.1.0"
