"""The accessibility app's models, one module per part; import them from here."""

from .community import DeviceIssue, DeviceType, RampRetrofit, SignLanguagePoint
from .retrofits import (
    DONE_STATUSES,
    OPEN_STATUSES,
    Retrofit,
    RetrofitItem,
    RetrofitLine,
    RetrofitPhoto,
    RetrofitStatus,
    RetrofitStatusChange,
    RetrofitType,
    RetrofitTypeCap,
)

__all__ = [
    "DONE_STATUSES",
    "OPEN_STATUSES",
    "DeviceIssue",
    "DeviceType",
    "RampRetrofit",
    "Retrofit",
    "RetrofitItem",
    "RetrofitLine",
    "RetrofitPhoto",
    "RetrofitStatus",
    "RetrofitStatusChange",
    "RetrofitType",
    "RetrofitTypeCap",
    "SignLanguagePoint",
]
