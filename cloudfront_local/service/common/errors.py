"""CloudFront's errors, named exactly as the model's error shapes; the codec takes their HTTP status
from the model, so no status is written here."""
from __future__ import annotations


class ServiceError(Exception):
    code = "InternalError"
    status: int | None = None  # only for errors the model lacks; the model's own carry theirs

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class EntityNotFound(ServiceError):
    code = "EntityNotFound"


class EntityAlreadyExists(ServiceError):
    code = "EntityAlreadyExists"


class EntityLimitExceeded(ServiceError):
    code = "EntityLimitExceeded"


class InvalidArgument(ServiceError):
    code = "InvalidArgument"


class InvalidTagging(ServiceError):
    code = "InvalidTagging"


class InvalidIfMatchVersion(ServiceError):
    code = "InvalidIfMatchVersion"


class PreconditionFailed(ServiceError):
    code = "PreconditionFailed"


class ResourceNotDisabled(ServiceError):
    code = "ResourceNotDisabled"


class ResourceInUse(ServiceError):
    code = "ResourceInUse"


class CannotDeleteEntityWhileInUse(ServiceError):
    code = "CannotDeleteEntityWhileInUse"


class NoSuchResource(ServiceError):
    code = "NoSuchResource"


IF_MATCH_MISSING = "The If-Match version is missing or not valid for the resource."


class NoSuchDistribution(ServiceError):
    code = "NoSuchDistribution"


class DistributionAlreadyExists(ServiceError):
    code = "DistributionAlreadyExists"


class DistributionNotDisabled(ServiceError):
    code = "DistributionNotDisabled"


class TooManyDistributions(ServiceError):
    code = "TooManyDistributions"


class InconsistentQuantities(ServiceError):
    code = "InconsistentQuantities"


class NoSuchOrigin(ServiceError):
    code = "NoSuchOrigin"


class NoSuchCachePolicy(ServiceError):
    code = "NoSuchCachePolicy"


class IllegalUpdate(ServiceError):
    code = "IllegalUpdate"


class CNAMEAlreadyExists(ServiceError):
    code = "CNAMEAlreadyExists"


class InvalidAssociation(ServiceError):
    code = "InvalidAssociation"


class InvalidationBatchAlreadyExists(ServiceError):
    """Documented in CreateInvalidation's API reference (the same CallerReference with other paths) but
    absent from the model's error shapes; 409 like the model's other …AlreadyExists errors."""
    code = "InvalidationBatchAlreadyExists"
    status = 409


UNMODELED = {InvalidationBatchAlreadyExists}


def __getattr__(name: str) -> type[ServiceError]:
    """Any other error of the model by its shape name (`from .errors import NoSuchCachePolicy`): a family
    names the errors it raises and no class is written out by hand. A test checks every name the service
    imports against the model's error shapes."""
    if not name[:1].isupper():
        raise AttributeError(name)
    cls = type(name, (ServiceError,), {"code": name})
    globals()[name] = cls
    return cls
