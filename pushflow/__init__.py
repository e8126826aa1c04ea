"""pushflow: push-notification campaigns as code for Alibaba Cloud EMAS Push and mPaaS Push."""

__version__ = "0.1.0"
