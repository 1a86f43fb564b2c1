"""System endpoints clients call at start: ping and the client configuration."""

from __future__ import annotations

from flask import Blueprint, request

from hub import MATTERMOST_COMPAT_VERSION
from hub.errors import AppError
from server.http import hub, json_response

bp = Blueprint("system", __name__, url_prefix="/api/v4")


@bp.get("/system/ping")
def ping():
    return json_response({"status": "OK", "ActiveSearchBackend": "database"})


def _flag(value: bool) -> str:
    return "true" if value else "false"


@bp.get("/config/client")
def client_config():
    if request.args.get("format") != "old":
        raise AppError(
            "api.config.client.old_format.app_error",
            "New format for the client configuration is not supported yet. Please specify format=old in the query string.",
            501,
        )
    config = hub().config
    service, team, email, privacy = (
        config["ServiceSettings"],
        config["TeamSettings"],
        config["EmailSettings"],
        config["PrivacySettings"],
    )
    return json_response(
        {
            "Version": MATTERMOST_COMPAT_VERSION,
            "BuildNumber": "hubbub",
            "BuildDate": "",
            "BuildHash": "",
            "BuildEnterpriseReady": "false",
            "SiteURL": config.site_url,
            "SiteName": team["SiteName"],
            "DiagnosticsEnabled": "false",
            "EnableUserCreation": _flag(team["EnableUserCreation"]),
            "EnableOpenServer": _flag(team["EnableOpenServer"]),
            "EnableSignUpWithEmail": _flag(email["EnableSignUpWithEmail"]),
            "EnableSignInWithEmail": _flag(email["EnableSignInWithEmail"]),
            "EnableSignInWithUsername": _flag(email["EnableSignInWithUsername"]),
            "RequireEmailVerification": _flag(email["RequireEmailVerification"]),
            "ShowEmailAddress": _flag(privacy["ShowEmailAddress"]),
            "ShowFullName": _flag(privacy["ShowFullName"]),
            "TeammateNameDisplay": team["TeammateNameDisplay"],
            "EnableIncomingWebhooks": _flag(service["EnableIncomingWebhooks"]),
            "EnableOutgoingWebhooks": _flag(service["EnableOutgoingWebhooks"]),
            "EnableCommands": _flag(service["EnableCommands"]),
            "EnablePostUsernameOverride": _flag(service["EnablePostUsernameOverride"]),
            "EnablePostIconOverride": _flag(service["EnablePostIconOverride"]),
            "EnableUserAccessTokens": _flag(service["EnableUserAccessTokens"]),
            "EnableBotAccountCreation": _flag(service["EnableBotAccountCreation"]),
            "EnableFileAttachments": _flag(config["FileSettings"]["EnableFileAttachments"]),
            "MaxFileSize": str(config["FileSettings"]["MaxFileSize"]),
            "MaxPostSize": str(service["MaximumPostLength"]),
            "PasswordMinimumLength": str(config["PasswordSettings"]["MinimumLength"]),
            "EnableDeveloper": _flag(service["EnableDeveloper"]),
            "EnableMultifactorAuthentication": "true",
            "ExperimentalEnablePostMetadata": "true",
            "IsDefaultMarketplace": "false",
        }
    )
