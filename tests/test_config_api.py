"""The configuration over the REST API: the client configuration (config/client.go), and for system
admins GET/PUT /config, PUT /config/patch and GET /config/environment (api4/config.go), against a
config.json with MM_* overrides, as a served Hubbub runs."""

import copy
import json
import logging

import pytest

from hub import MATTERMOST_COMPAT_VERSION
from hub import config as hub_config
from tests.fixtures import assert_app_error

MASK = "********************************"
ENVIRONMENT = {"MM_SERVICESETTINGS_ENABLEDEVELOPER": "true", "MM_TEAMSETTINGS_MAXUSERSPERTEAM": "75"}
NO_STORE = "no-cache, no-store, must-revalidate"


@pytest.fixture
def config_file(hub, tmp_path):
    """The test hub's settings in a config.json that also holds settings Hubbub does not know (GitLab's
    secret, a Redis password and a replica), run with ENVIRONMENT's overrides."""
    path = tmp_path / "config" / "config.json"
    data = copy.deepcopy(hub.config.file_data)
    data["SqlSettings"]["DataSourceReplicas"] = ["postgres://replica/hubbub"]
    data["CacheSettings"]["RedisPassword"] = "redis-secret"
    data["GitLabSettings"] = {"Enable": False, "Secret": "gitlab-secret", "Id": ""}
    hub_config.Config(data, path).save()
    hub.config = hub_config.load_file(path).with_overrides(ENVIRONMENT)
    return path


def on_disk(path) -> dict:
    return json.loads(path.read_text())


def sanitized(data: dict) -> dict:
    """What GET /config must answer for these settings."""
    expected = copy.deepcopy(data)
    expected["SqlSettings"]["DataSource"] = MASK
    expected["SqlSettings"]["DataSourceReplicas"] = [MASK] * len(
        expected["SqlSettings"]["DataSourceReplicas"]
    )
    expected["CacheSettings"]["RedisPassword"] = MASK
    if expected.get("GitLabSettings", {}).get("Secret"):
        expected["GitLabSettings"]["Secret"] = MASK
    if expected["ServiceSettings"]["IntegrationActionsSigningSecret"]:
        expected["ServiceSettings"]["IntegrationActionsSigningSecret"] = MASK
    return expected


def test_get_config_answers_every_setting_in_force_with_secrets_masked(api, admin, hub, config_file):
    answer = api.as_(admin).get("config")
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == NO_STORE
    expected = sanitized(on_disk(config_file))
    expected["ServiceSettings"]["EnableDeveloper"] = True
    expected["TeamSettings"]["MaxUsersPerTeam"] = 75
    assert answer.get_json() == expected
    # An empty secret stays empty; a set one is masked.
    assert answer.get_json()["ServiceSettings"]["IntegrationActionsSigningSecret"] == ""
    hub.config["ServiceSettings"]["IntegrationActionsSigningSecret"] = "s3cret"
    assert (
        api.as_(admin).get("config").get_json()["ServiceSettings"]["IntegrationActionsSigningSecret"] == MASK
    )


def test_config_environment_marks_the_overridden_settings(api, admin, config_file):
    answer = api.as_(admin).get("config/environment")
    assert answer.headers["Cache-Control"] == NO_STORE
    assert answer.get_json() == {
        "ServiceSettings": {"EnableDeveloper": True},
        "TeamSettings": {"MaxUsersPerTeam": True},
    }


def test_config_environment_is_empty_without_overrides(api, admin):
    assert api.as_(admin).get("config/environment").get_json() == {}


@pytest.mark.parametrize(
    "method, path",
    [("GET", "config"), ("PUT", "config"), ("PUT", "config/patch"), ("GET", "config/environment")],
)
def test_the_configuration_is_for_system_admins(api, room, config_file, method, path):
    body = {"TeamSettings": {"SiteName": "Mine"}} if method == "PUT" else None
    for account in (room.owner, room.member):
        assert_app_error(
            api.as_(account).request(method, path, json=body), 403, "api.context.permissions.app_error"
        )
    assert_app_error(api.request(method, path, json=body), 401)
    assert on_disk(config_file)["TeamSettings"]["SiteName"] == "Hubbub"


def test_put_config_replaces_saves_and_runs_with_it(api, admin, hub, config_file):
    as_admin = api.as_(admin)
    sent = as_admin.get("config").get_json()
    sent["TeamSettings"]["SiteName"] = "Crew Chat"
    sent["ServiceSettings"]["EnableDeveloper"] = False  # overridden: the environment keeps it true
    sent["TeamSettings"]["MaxUsersPerTeam"] = 10  # overridden too
    del sent["RateLimitSettings"]  # left out: takes the defaults
    answer = as_admin.put("config", sent)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.headers["Cache-Control"] == NO_STORE
    saved = on_disk(config_file)
    # Masked secrets were sent back unchanged: the stored ones stay.
    assert saved["SqlSettings"]["DataSource"] == hub.config.file_data["SqlSettings"]["DataSource"] != MASK
    assert saved["SqlSettings"]["DataSourceReplicas"] == ["postgres://replica/hubbub"]
    assert (saved["CacheSettings"]["RedisPassword"], saved["GitLabSettings"]["Secret"]) == (
        "redis-secret",
        "gitlab-secret",
    )
    # The file keeps its own values of the overridden settings; the server runs with the environment's.
    assert (saved["ServiceSettings"]["EnableDeveloper"], saved["TeamSettings"]["MaxUsersPerTeam"]) == (
        False,
        50,
    )
    assert saved["TeamSettings"]["SiteName"] == "Crew Chat"
    assert saved["RateLimitSettings"] == hub_config.DEFAULTS["RateLimitSettings"]
    expected = sanitized(saved)
    expected["ServiceSettings"]["EnableDeveloper"] = True
    expected["TeamSettings"]["MaxUsersPerTeam"] = 75
    assert answer.get_json() == expected
    assert as_admin.get("config").get_json() == expected
    assert api.get("config/client?format=old").get_json()["SiteName"] == "Crew Chat"


def test_put_config_without_a_file_changes_the_running_settings_only(api, admin, hub):
    sent = api.as_(admin).get("config").get_json()
    sent["TeamSettings"]["SiteName"] = "In Memory"
    assert api.as_(admin).put("config", sent).status_code == 200
    assert hub.config["TeamSettings"]["SiteName"] == "In Memory" and hub.config.path is None
    assert hub.config["SqlSettings"]["DataSource"] != MASK


@pytest.mark.parametrize(
    "change, named",
    [
        (("PasswordSettings", "MinimumLength", 3), "PasswordSettings.MinimumLength"),
        (("ServiceSettings", "EnableCommands", "yes"), "ServiceSettings.EnableCommands"),
        (
            ("ServiceSettings", "TimeBetweenUserTypingUpdatesMilliseconds", 10),
            "ServiceSettings.TimeBetweenUserTypingUpdatesMilliseconds",
        ),
        (("SqlSettings", "DriverName", "oracle"), "SqlSettings.DriverName"),
        (("ServiceSettings", "ListenAddress", "nowhere"), "ServiceSettings.ListenAddress"),
    ],
)
def test_put_config_is_validated_like_the_file(api, admin, hub, config_file, change, named):
    before = config_file.read_text()
    sent = api.as_(admin).get("config").get_json()
    section, setting, value = change
    sent[section][setting] = value
    for method, body in (("PUT", sent), ("PUT", {section: {setting: value}})):
        path = "config" if body is sent else "config/patch"
        refused = assert_app_error(
            api.as_(admin).request(method, path, json=body), 400, "model.config.is_valid.app_error"
        )
        assert named in refused["message"]
    assert config_file.read_text() == before
    assert hub.config[section][setting] != value


def test_put_config_refuses_what_is_no_configuration(api, admin, config_file):
    as_admin = api.as_(admin)
    refused = assert_app_error(
        as_admin.put("config", {"SiteName": "x"}), 400, "model.config.is_valid.app_error"
    )
    assert "SiteName" in refused["message"]
    assert_app_error(as_admin.put("config", {"TeamSettings": []}), 400, "model.config.is_valid.app_error")
    assert_app_error(
        as_admin.put("config", ["TeamSettings"]), 400, "api.context.invalid_body_param.app_error"
    )
    assert_app_error(as_admin.put("config/patch", "x"), 400, "api.context.invalid_body_param.app_error")


def test_the_site_url_cannot_be_cleared(api, admin, hub, config_file):
    as_admin = api.as_(admin)
    assert (
        as_admin.put("config/patch", {"ServiceSettings": {"SiteURL": "https://chat.example.com"}}).status_code
        == 200
    )
    sent = as_admin.get("config").get_json()
    del sent["ServiceSettings"]["SiteURL"]
    assert_app_error(as_admin.put("config", sent), 400, "api.config.update_config.clear_siteurl.app_error")
    assert_app_error(
        as_admin.put("config/patch", {"ServiceSettings": {"SiteURL": ""}}),
        400,
        "api.config.update_config.clear_siteurl.app_error",
    )
    assert on_disk(config_file)["ServiceSettings"]["SiteURL"] == "https://chat.example.com"


def test_patch_config_changes_only_what_it_sends(api, admin, hub, config_file):
    before = on_disk(config_file)
    answer = api.as_(admin).put(
        "config/patch",
        {
            "TeamSettings": {"MaxChannelsPerTeam": 12},
            "SqlSettings": {"DataSource": MASK},
            "GitLabSettings": {"Id": "app"},
        },
    )
    assert answer.status_code == 200
    after = on_disk(config_file)
    before["TeamSettings"]["MaxChannelsPerTeam"] = 12
    before["GitLabSettings"]["Id"] = "app"
    assert after == before
    assert hub.config["TeamSettings"]["MaxChannelsPerTeam"] == 12


def test_other_processes_changes_to_the_file_are_taken_on_the_next_request(
    api, admin, hub, config_file, caplog
):
    # `config set` (or another web worker's PUT) writes the file...
    hub_config.load_file(config_file).with_setting("TeamSettings.SiteName", "From Elsewhere").save()
    assert api.get("config/client?format=old").get_json()["SiteName"] == "From Elsewhere"
    # ... with the environment's overrides still applied.
    assert hub.config["ServiceSettings"]["EnableDeveloper"] is True
    # A broken edit is logged once and the settings in force stay.
    config_file.write_text('{"TeamSettings": {"SiteName": 5}}')
    with caplog.at_level(logging.ERROR, logger="hub.config"):
        for _ in range(2):
            assert api.get("config/client?format=old").get_json()["SiteName"] == "From Elsewhere"
    assert len([r for r in caplog.records if "cannot be used" in r.getMessage()]) == 1


# ---- the client configuration ------------------------------------------------------------------
LIMITED_CLIENT_CONFIG = {
    "Version": MATTERMOST_COMPAT_VERSION,
    "BuildNumber": "hubbub",
    "BuildDate": "",
    "BuildHash": "",
    "BuildHashEnterprise": "",
    "BuildEnterpriseReady": "false",
    "SiteURL": "http://localhost:8065",
    "SiteName": "Hubbub",
    "WebsocketURL": "",
    "EnableUserCreation": "true",
    "EnableOpenServer": "false",
    "EnableBotAccountCreation": "true",
    "AndroidLatestVersion": "",
    "AndroidMinVersion": "",
    "IosLatestVersion": "",
    "IosMinVersion": "",
    "EnableDiagnostics": "false",
    "DiagnosticsEnabled": "false",
    "EnableSignUpWithEmail": "true",
    "EnableSignInWithEmail": "true",
    "EnableSignInWithUsername": "true",
    "EnableSignUpWithGitLab": "false",
    "EnableSignUpWithGoogle": "false",
    "EnableSignUpWithOffice365": "false",
    "EnableSignUpWithOpenId": "false",
    "EnableLdap": "false",
    "EnableSaml": "false",
    "EnableGuestAccounts": "false",
    "EnableCustomBrand": "false",
    "CustomBrandText": "",
    "CustomDescriptionText": "",
    "DefaultClientLocale": "en",
    "EnableCustomEmoji": "false",
    "PluginsEnabled": "false",
    "PasswordMinimumLength": "8",
    "PasswordRequireLowercase": "false",
    "PasswordRequireUppercase": "false",
    "PasswordRequireNumber": "false",
    "PasswordRequireSymbol": "false",
    "EnableMultifactorAuthentication": "true",
    "EnforceMultifactorAuthentication": "false",
    "NoAccounts": "false",
}
FULL_CLIENT_CONFIG = {
    **LIMITED_CLIENT_CONFIG,
    "TeammateNameDisplay": "username",
    "LockTeammateNameDisplay": "false",
    "ExperimentalViewArchivedChannels": "true",
    "EnableIncomingWebhooks": "true",
    "EnableOutgoingWebhooks": "true",
    "EnableCommands": "true",
    "EnablePostUsernameOverride": "false",
    "EnablePostIconOverride": "false",
    "EnableUserAccessTokens": "true",
    "EnableOAuthServiceProvider": "false",
    "EnableLinkPreviews": "false",
    "EnableDeveloper": "false",
    "EnableTesting": "false",
    "ExtendSessionLengthWithActivity": "true",
    "ExperimentalEnableDefaultChannelLeaveJoinMessages": "true",
    "EnableLatex": "false",
    "EnableInlineLatex": "true",
    "TimeBetweenUserTypingUpdatesMilliseconds": "5000",
    "EnableUserTypingMessages": "true",
    "EnableChannelViewedMessages": "true",
    "ExperimentalEnablePostMetadata": "true",
    "CollapsedThreads": "disabled",
    "SendEmailNotifications": "false",
    "SendPushNotifications": "false",
    "RequireEmailVerification": "false",
    "ShowEmailAddress": "true",
    "ShowFullName": "true",
    "EnableFileAttachments": "true",
    "EnablePublicLink": "false",
    "MaxFileSize": "104857600",
    "MaxPostSize": "16383",
    "EnableMarketplace": "false",
    "IsDefaultMarketplace": "false",
}


def test_client_config_limited_for_anyone_whole_for_a_session(api, hub, admin):
    anonymous = api.get("config/client?format=old")
    assert anonymous.status_code == 200
    assert anonymous.get_json() == LIMITED_CLIENT_CONFIG
    driver = hub.config["SqlSettings"]["DriverName"]
    assert api.as_(admin).get("config/client?format=old").get_json() == {
        **FULL_CLIENT_CONFIG,
        "SQLDriverName": driver,
    }
    # A token that names no session is no session: the limited configuration, not a 401.
    assert api.get(
        "config/client?format=old", headers={"Authorization": "Bearer nosuchtoken"}
    ).get_json() == (LIMITED_CLIENT_CONFIG)
    assert_app_error(api.get("config/client"), 501, "api.config.client.old_format.app_error")


def test_client_config_follows_the_settings(api, hub, admin, make_account):
    hub.config["ServiceSettings"].update(
        TimeBetweenUserTypingUpdatesMilliseconds=2500,
        EnableLatex=True,
        EnableInlineLatex=False,
        MaximumPostLength=4000,
    )
    hub.config["ServiceSettings"]["ExperimentalEnableDefaultChannelLeaveJoinMessages"] = False
    hub.config["FileSettings"].update(MaxFileSize=1000, EnableFileAttachments=False)
    hub.config["PasswordSettings"].update(MinimumLength=12, Symbol=True)
    answer = api.as_(make_account("someone")).get("config/client?format=old").get_json()
    assert {key: answer[key] for key in answer if answer[key] != FULL_CLIENT_CONFIG.get(key)} == {
        "TimeBetweenUserTypingUpdatesMilliseconds": "2500",
        "EnableLatex": "true",
        "EnableInlineLatex": "false",
        "MaxPostSize": "4000",
        "ExperimentalEnableDefaultChannelLeaveJoinMessages": "false",
        "MaxFileSize": "1000",
        "EnableFileAttachments": "false",
        "PasswordMinimumLength": "12",
        "PasswordRequireSymbol": "true",
        "SQLDriverName": hub.config["SqlSettings"]["DriverName"],
    }


def test_client_config_tells_a_new_server_it_has_no_accounts(api):
    assert api.get("config/client?format=old").get_json() == {**LIMITED_CLIENT_CONFIG, "NoAccounts": "true"}
