"""Uploads, downloads, thumbnails, previews and file metadata over the REST API."""

from __future__ import annotations

import base64
import io
import re
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from mattermostdriver import Driver
from PIL import Image
from sqlalchemy import func, select

from hub import models
from hub.ids import new_id, now_ms
from hub.permissions import Actor
from hub.services.files import Upload, stored_name
from hubbub import create_app
from tests.fixtures import ApiClient, assert_app_error

FILE_INFO_KEYS = {
    "id",
    "user_id",
    "post_id",
    "channel_id",
    "create_at",
    "update_at",
    "delete_at",
    "name",
    "extension",
    "size",
    "mime_type",
    "width",
    "height",
    "has_preview_image",
    "mini_preview",
    "remote_id",
    "archived",
}


@dataclass
class World:
    owner: object
    member: object
    outsider: object
    team: models.Team
    town: models.Channel
    private: models.Channel


@pytest.fixture
def world(hub, make_account) -> World:
    """owner and member share the team (and its town-square); only owner is in the private channel;
    outsider is in no team at all."""
    owner, member, outsider = make_account("owner"), make_account("member"), make_account("outsider")
    owner_actor = Actor(owner.id, "system_user")
    team = hub.teams.create(owner_actor, {"name": "crew", "display_name": "Crew"})
    with hub.store.write() as s:
        hub.teams.add_member(s, team, member.id)
    with hub.store.read() as s:
        town = s.scalar(
            select(models.Channel).where(
                models.Channel.team_id == team.id, models.Channel.name == "town-square"
            )
        )
    private = hub.channels.create(
        owner_actor, {"team_id": team.id, "name": "secret", "display_name": "Secret", "type": "P"}
    )
    return World(owner, member, outsider, team, town, private)


def png_bytes(size=(300, 200), mode="RGBA", color=(200, 30, 30, 128)) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, format="PNG")
    return out.getvalue()


def upload(api: ApiClient, fields: dict, **kwargs):
    return api.post("files", data=fields, content_type="multipart/form-data", **kwargs)


def attach(hub, file_id: str, channel_id: str) -> None:
    """What creating a post with file_ids does to the file's row."""
    with hub.store.write() as s:
        info = s.get(models.FileInfo, file_id)
        info.post_id = new_id()
        info.channel_id = channel_id


def stored_files(hub) -> list[str]:
    return sorted(str(p.relative_to(hub.data_dir)) for p in hub.data_dir.rglob("*") if p.is_file())


def file_rows(hub) -> int:
    with hub.store.read() as s:
        return s.scalar(select(func.count()).select_from(models.FileInfo))


def test_multipart_upload_with_channel_id_after_the_files(api, hub, world):
    response = upload(
        api.as_(world.owner),
        {
            "files": [(io.BytesIO(b"first file"), "notes.TXT"), (io.BytesIO(b"%PDF-1.4 body"), "report.pdf")],
            "client_ids": ["client-a", "client-b"],
            "channel_id": world.town.id,
        },
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/json"
    body = response.get_json()
    assert body["client_ids"] == ["client-a", "client-b"]
    first, second = body["file_infos"]
    assert set(first) == FILE_INFO_KEYS
    assert first["name"] == "notes.TXT" and first["extension"] == "txt" and first["mime_type"] == "text/plain"
    assert first["size"] == len(b"first file")
    assert (
        first["user_id"] == world.owner.id and first["channel_id"] == world.town.id and first["post_id"] == ""
    )
    assert first["width"] == 0 and first["has_preview_image"] is False and first["mini_preview"] is None
    assert second["extension"] == "pdf" and second["mime_type"] == "application/pdf"

    with hub.store.read() as s:
        row = s.get(models.FileInfo, first["id"])
    assert re.fullmatch(
        rf"\d{{8}}/teams/noteam/channels/{world.town.id}/users/{world.owner.id}/{first['id']}/notes\.TXT",
        row.path,
    )
    assert (hub.data_dir / row.path).read_bytes() == b"first file"

    info = api.as_(world.owner).get(f"files/{first['id']}/info")
    assert info.status_code == 200 and info.get_json() == first


def test_channel_id_may_come_first_or_in_the_query(api, world):
    owner = api.as_(world.owner)
    first = upload(owner, {"channel_id": world.town.id, "files": (io.BytesIO(b"a"), "a.txt")})
    assert first.status_code == 201 and first.get_json()["client_ids"] == []
    query = upload(owner, {"files": (io.BytesIO(b"b"), "b.txt")}, query_string={"channel_id": world.town.id})
    assert query.status_code == 201
    assert query.get_json()["file_infos"][0]["channel_id"] == world.town.id


def test_raw_body_upload(api, world):
    response = api.post(
        "files",
        data=b"raw bytes here",
        headers={"Content-Type": "application/octet-stream"},
        query_string={"channel_id": world.town.id, "filename": "raw.bin", "client_id": "c1"},
    )
    assert_app_error(response, 401)
    response = api.as_(world.owner).post(
        "files",
        data=b"raw bytes here",
        headers={"Content-Type": "application/octet-stream"},
        query_string={"channel_id": world.town.id, "filename": "raw.bin", "client_id": "c1"},
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["client_ids"] == ["c1"]
    assert body["file_infos"][0]["name"] == "raw.bin" and body["file_infos"][0]["size"] == 14
    file_id = body["file_infos"][0]["id"]
    assert api.as_(world.owner).get(f"files/{file_id}").get_data() == b"raw bytes here"


def test_raw_body_needs_a_body_and_a_filename(api, world):
    owner = api.as_(world.owner)
    octet = {"Content-Type": "application/octet-stream"}
    assert_app_error(
        owner.post(
            "files", data=b"", headers=octet, query_string={"channel_id": world.town.id, "filename": "x"}
        ),
        400,
        "api.file.upload_file.read_request.app_error",
    )
    assert_app_error(
        owner.post("files", data=b"x", headers=octet, query_string={"channel_id": world.town.id}),
        400,
        "api.context.invalid_param.app_error",
    )


def test_image_gets_dimensions_thumbnail_preview_and_mini_preview(api, hub, world):
    response = upload(
        api.as_(world.owner),
        {"channel_id": world.town.id, "files": (io.BytesIO(png_bytes((3000, 1000))), "wide.png")},
    )
    assert response.status_code == 201
    info = response.get_json()["file_infos"][0]
    assert (info["width"], info["height"]) == (3000, 1000)
    assert info["mime_type"] == "image/png" and info["has_preview_image"] is True
    mini = Image.open(io.BytesIO(base64.b64decode(info["mini_preview"])))
    assert mini.format == "JPEG" and mini.size == (16, 16)

    thumbnail = api.as_(world.owner).get(f"files/{info['id']}/thumbnail")
    assert thumbnail.status_code == 200 and thumbnail.headers["Content-Type"] == "image/jpeg"
    thumb = Image.open(io.BytesIO(thumbnail.get_data()))
    assert thumb.format == "JPEG" and thumb.width <= 120 and thumb.height <= 100 and thumb.width == 120
    # Transparent pixels are flattened onto white, not black.
    assert min(thumb.getpixel((5, 5))) > 100

    preview = api.as_(world.owner).get(f"files/{info['id']}/preview")
    shown = Image.open(io.BytesIO(preview.get_data()))
    assert shown.format == "JPEG" and shown.size == (1920, 640)

    with hub.store.read() as s:
        row = s.get(models.FileInfo, info["id"])
    directory = row.path.rsplit("/", 1)[0]
    assert row.thumbnail_path == f"{directory}/wide_thumb.jpg"
    assert row.preview_path == f"{directory}/wide_preview.jpg"
    assert sorted(stored_files(hub)) == sorted([row.path, row.thumbnail_path, row.preview_path])


def test_exif_rotated_photo_reports_upright_dimensions(api, world):
    photo = Image.new("RGB", (400, 100), (10, 120, 200))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90° clockwise: shown 100 wide, 400 high
    out = io.BytesIO()
    photo.save(out, format="JPEG", exif=exif)
    info = upload(
        api.as_(world.owner),
        {"channel_id": world.town.id, "files": (io.BytesIO(out.getvalue()), "photo.jpg")},
    ).get_json()["file_infos"][0]
    assert (info["width"], info["height"]) == (100, 400)
    assert info["mime_type"] == "image/jpeg"


def test_gif_has_a_thumbnail_but_no_preview_flag(api, world):
    out = io.BytesIO()
    frames = [Image.new("P", (50, 50), i) for i in (1, 2)]
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:])
    info = upload(
        api.as_(world.owner), {"channel_id": world.town.id, "files": (io.BytesIO(out.getvalue()), "anim.gif")}
    ).get_json()["file_infos"][0]
    assert info["has_preview_image"] is False and (info["width"], info["height"]) == (50, 50)
    assert api.as_(world.owner).get(f"files/{info['id']}/thumbnail").status_code == 200


def test_corrupt_image_is_kept_as_a_plain_file(api, world):
    owner = api.as_(world.owner)
    broken = png_bytes()[:60]
    for name, data in (("broken.png", broken), ("fake.jpg", b"not an image at all")):
        response = upload(owner, {"channel_id": world.town.id, "files": (io.BytesIO(data), name)})
        assert response.status_code == 201, name
        info = response.get_json()["file_infos"][0]
        assert info["width"] == 0 and info["has_preview_image"] is False and info["mini_preview"] is None
        assert owner.get(f"files/{info['id']}").get_data() == data
        assert_app_error(
            owner.get(f"files/{info['id']}/thumbnail"),
            404,
            "api.file.get_file_thumbnail.no_thumbnail.app_error",
        )
        assert_app_error(
            owner.get(f"files/{info['id']}/preview"), 404, "api.file.get_file_preview.no_preview.app_error"
        )


def test_download_headers(api, world):
    owner = api.as_(world.owner)
    infos = upload(
        owner,
        {
            "channel_id": world.town.id,
            "files": [
                (io.BytesIO(b"hello"), "résumé notes.txt"),
                (io.BytesIO(png_bytes((10, 10))), "dot.png"),
                (io.BytesIO(b"<script>alert(1)</script>"), "page.html"),
            ],
        },
    ).get_json()["file_infos"]
    text, image, page = (i["id"] for i in infos)

    response = owner.get(f"files/{text}")
    assert response.status_code == 200 and response.get_data() == b"hello"
    assert response.headers["Content-Type"] == "text/plain"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"] == (
        "attachment;filename=\"r%C3%A9sum%C3%A9%20notes.txt\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20notes.txt"
    )
    assert response.headers["Content-Length"] == "5"

    shown = owner.get(f"files/{image}")
    assert shown.headers["Content-Type"] == "image/png"
    assert shown.headers["Content-Disposition"].startswith('inline;filename="dot.png"')
    downloaded = owner.get(f"files/{image}", query_string={"download": "1"})
    assert downloaded.headers["Content-Disposition"].startswith('attachment;filename="dot.png"')

    # An uploaded page must never render in the server's origin.
    html = owner.get(f"files/{page}")
    assert html.headers["Content-Type"] == "text/plain"
    assert html.headers["Content-Disposition"].startswith("attachment;")

    ranged = owner.get(f"files/{text}", headers={"Range": "bytes=1-3"})
    assert ranged.status_code == 206 and ranged.get_data() == b"ell"


def test_stored_name_loses_its_path_parts(api, hub, world):
    info = upload(
        api.as_(world.owner), {"channel_id": world.town.id, "files": (io.BytesIO(b"x"), "../../etc/passwd")}
    ).get_json()["file_infos"][0]
    assert info["name"] == "passwd"
    with hub.store.read() as s:
        row = s.get(models.FileInfo, info["id"])
    assert row.path.endswith(f"/{info['id']}/passwd")
    assert stored_files(hub) == [row.path]
    assert_app_error(
        upload(api.as_(world.owner), {"channel_id": world.town.id, "files": (io.BytesIO(b"x"), "../")}),
        400,
        "api.context.invalid_param.app_error",
    )
    assert stored_name("C:\\Users\\me\\report.txt") == "report.txt"
    assert stored_name(" tab\tand\x00nul.txt ") == "tabandnul.txt"
    long_name = "é" * 200 + ".txt"
    kept = upload(
        api.as_(world.owner), {"channel_id": world.town.id, "files": (io.BytesIO(b"x"), long_name)}
    ).get_json()["file_infos"][0]
    assert kept["name"].endswith(".txt") and len(kept["name"].encode()) <= 240


def test_upload_needs_channel_membership(api, world):
    member = api.as_(world.member)
    assert_app_error(
        upload(member, {"channel_id": world.private.id, "files": (io.BytesIO(b"x"), "x.txt")}),
        403,
        "api.context.permissions.app_error",
    )
    assert_app_error(
        upload(api.as_(world.outsider), {"channel_id": world.town.id, "files": (io.BytesIO(b"x"), "x.txt")}),
        403,
    )
    assert_app_error(upload(member, {"channel_id": new_id(), "files": (io.BytesIO(b"x"), "x.txt")}), 404)
    assert_app_error(upload(member, {"channel_id": "nope", "files": (io.BytesIO(b"x"), "x.txt")}), 400)
    assert_app_error(
        upload(member, {"files": (io.BytesIO(b"x"), "x.txt")}), 400, "api.context.invalid_param.app_error"
    )
    assert_app_error(upload(api, {"channel_id": world.town.id, "files": (io.BytesIO(b"x"), "x.txt")}), 401)


def test_system_admin_may_upload_anywhere(api, admin, world):
    response = upload(api.as_(admin), {"channel_id": world.private.id, "files": (io.BytesIO(b"x"), "x.txt")})
    assert response.status_code == 201


def test_archived_channel_refuses_uploads(api, hub, world):
    with hub.store.write() as s:
        s.get(models.Channel, world.town.id).delete_at = now_ms()
    assert_app_error(
        upload(api.as_(world.owner), {"channel_id": world.town.id, "files": (io.BytesIO(b"x"), "x.txt")}),
        403,
        "api.channel.archived.app_error",
    )


def test_malformed_upload_requests(api, hub, world):
    owner = api.as_(world.owner)
    assert_app_error(upload(owner, {"channel_id": world.town.id}), 400, "api.context.invalid_param.app_error")
    assert_app_error(
        upload(
            owner,
            {"channel_id": world.town.id, "client_ids": ["a", "b"], "files": (io.BytesIO(b"x"), "x.txt")},
        ),
        400,
        "api.file.upload_file.incorrect_number_of_client_ids.app_error",
    )
    assert_app_error(
        upload(
            owner,
            {"channel_id": world.town.id, "files": (io.BytesIO(b"x"), "x.txt")},
            query_string={"channel_id": world.private.id},
        ),
        400,
        "api.file.upload_file.multiple_channel_ids.app_error",
    )
    assert_app_error(
        upload(owner, {"channel_id": world.town.id, "surprise": "1", "files": (io.BytesIO(b"x"), "x.txt")}),
        400,
        "api.context.invalid_param.app_error",
    )
    assert_app_error(
        upload(owner, {"channel_id": world.town.id, "attachment": (io.BytesIO(b"x"), "x.txt")}),
        400,
        "api.context.invalid_param.app_error",
    )
    assert stored_files(hub) == [] and file_rows(hub) == 0


@pytest.fixture
def small_files_api(hub_factory):
    hub = hub_factory(FileSettings={"MaxFileSize": 1000})
    return hub, ApiClient(create_app(hub=hub).test_client())


def test_too_large_files_are_refused_and_nothing_is_kept(small_files_api, make_account, world):
    hub, api = small_files_api
    owner = api.as_(world.owner)
    response = upload(
        owner,
        {
            "channel_id": world.town.id,
            "files": [(io.BytesIO(b"ok"), "small.txt"), (io.BytesIO(b"x" * 1001), "big.txt")],
        },
    )
    assert_app_error(response, 413, "api.file.upload_file.too_large_detailed.app_error")
    assert stored_files(hub) == [] and file_rows(hub) == 0

    raw = owner.post(
        "files",
        data=b"x" * 1001,
        headers={"Content-Type": "application/octet-stream"},
        query_string={"channel_id": world.town.id, "filename": "big.bin"},
    )
    assert_app_error(raw, 413, "api.file.upload_file.too_large_detailed.app_error")
    # Beyond what the server reads at all: refused before parsing, still as an AppError.
    huge = upload(
        owner, {"channel_id": world.town.id, "files": (io.BytesIO(b"x" * (2 * 1024 * 1024)), "huge.txt")}
    )
    assert_app_error(huge, 413, "api.context.request_body_too_large.app_error")
    assert stored_files(hub) == [] and file_rows(hub) == 0
    assert (
        upload(
            owner, {"channel_id": world.town.id, "files": (io.BytesIO(b"x" * 1000), "fits.txt")}
        ).status_code
        == 201
    )


def test_disabled_attachments_answer_501(hub_factory, world):
    hub = hub_factory(FileSettings={"EnableFileAttachments": False})
    api = ApiClient(create_app(hub=hub).test_client())
    assert_app_error(
        upload(api.as_(world.owner), {"channel_id": world.town.id, "files": (io.BytesIO(b"x"), "x.txt")}),
        501,
        "api.file.attachments.disabled.app_error",
    )


def test_files_are_removed_when_the_row_cannot_be_written(hub, world, monkeypatch):
    @contextmanager
    def failing_write():
        raise RuntimeError("database went away")
        yield  # pragma: no cover

    monkeypatch.setattr(hub.store, "write", failing_write)
    owner_actor = Actor(world.owner.id, "system_user")
    with pytest.raises(RuntimeError):
        hub.files.upload(
            owner_actor,
            world.town.id,
            [Upload("a.png", io.BytesIO(png_bytes((20, 20)))), Upload("b.txt", io.BytesIO(b"b"))],
        )
    assert stored_files(hub) == []


def test_unattached_file_is_readable_only_by_its_uploader(api, admin, world):
    info = upload(
        api.as_(world.owner),
        {"channel_id": world.town.id, "files": (io.BytesIO(png_bytes((10, 10))), "p.png")},
    ).get_json()["file_infos"][0]
    for path in ("", "/info", "/thumbnail", "/preview"):
        assert api.as_(world.owner).get(f"files/{info['id']}{path}").status_code == 200, path
        assert_app_error(
            api.as_(world.member).get(f"files/{info['id']}{path}"), 403, "api.context.permissions.app_error"
        )
    assert api.as_(admin).get(f"files/{info['id']}/info").status_code == 200
    assert_app_error(api.get(f"files/{info['id']}/info"), 401)


def test_attached_file_follows_channel_read_access(api, hub, make_account, world):
    owner = api.as_(world.owner)
    public = upload(owner, {"channel_id": world.town.id, "files": (io.BytesIO(b"pub"), "pub.txt")}).get_json()
    secret = upload(
        owner, {"channel_id": world.private.id, "files": (io.BytesIO(b"sec"), "sec.txt")}
    ).get_json()
    public_id, secret_id = public["file_infos"][0]["id"], secret["file_infos"][0]["id"]
    attach(hub, public_id, world.town.id)
    attach(hub, secret_id, world.private.id)

    assert api.as_(world.member).get(f"files/{public_id}").get_data() == b"pub"
    assert api.as_(world.member).get(f"files/{public_id}/info").get_json()["id"] == public_id
    assert_app_error(api.as_(world.member).get(f"files/{secret_id}"), 403)
    assert_app_error(api.as_(world.outsider).get(f"files/{public_id}"), 403)

    with hub.store.write() as s:
        s.get(models.FileInfo, public_id).delete_at = now_ms()
    assert_app_error(owner.get(f"files/{public_id}"), 404, "app.file_info.get.app_error")


def test_unknown_and_malformed_file_ids(api, hub, world):
    owner = api.as_(world.owner)
    assert_app_error(owner.get(f"files/{new_id()}"), 404, "app.file_info.get.app_error")
    assert_app_error(owner.get(f"files/{new_id()}/info"), 404)
    assert_app_error(owner.get("files/not-an-id/thumbnail"), 400, "api.context.invalid_param.app_error")

    info = upload(owner, {"channel_id": world.town.id, "files": (io.BytesIO(b"gone"), "gone.txt")}).get_json()
    for path in stored_files(hub):
        (hub.data_dir / path).unlink()
    assert_app_error(owner.get(f"files/{info['file_infos'][0]['id']}"), 404, "api.file.file_reader.app_error")


def test_mattermostdriver_uploads_and_downloads(live_server, world):
    driver = Driver(
        {
            "url": "127.0.0.1",
            "port": live_server.port,
            "scheme": "http",
            "token": world.owner.token,
            "verify": False,
        }
    )
    driver.login()
    answer = driver.files.upload_file(world.town.id, {"files": ("driver.txt", b"sent by the driver")})
    info = answer["file_infos"][0]
    assert info["name"] == "driver.txt" and info["channel_id"] == world.town.id
    assert driver.files.get_file(info["id"]).content == b"sent by the driver"
    assert driver.files.get_file_metadata(info["id"])["id"] == info["id"]


def test_images_beyond_the_resolution_limit_are_refused(hub_factory, hub, world):
    limited = hub_factory(FileSettings={"MaxImageResolution": 20 * 20 - 1})
    response = upload(
        ApiClient(create_app(hub=limited).test_client()).as_(world.owner),
        {"channel_id": world.town.id, "files": (io.BytesIO(png_bytes((20, 20))), "big.png")},
    )
    body = assert_app_error(response, 400, "api.file.upload_file.large_image_detailed.app_error")
    assert body["detailed_error"] == "20 by 20 pixels"
    assert stored_files(hub) == [] and file_rows(hub) == 0
