"""Profile images over the REST API, as Mattermost's api4/user.go serves them: GET (the uploaded image or a
generated default), GET /image/default, POST (multipart `image`) and DELETE /users/{id}/image."""

import io

import pytest
from PIL import Image

from hub.services.profile_images import image_path
from tests.fixtures import assert_app_error

# Mattermost's createProfileImage palette, in its order.
PALETTE = [
    (197, 8, 126), (227, 207, 18), (28, 181, 105), (35, 188, 224), (116, 49, 196), (197, 8, 126),
    (197, 19, 19), (250, 134, 6), (227, 207, 18), (123, 201, 71), (28, 181, 105), (35, 188, 224),
    (116, 49, 196), (197, 8, 126), (197, 19, 19), (250, 134, 6), (227, 207, 18), (123, 201, 71),
    (28, 181, 105), (35, 188, 224), (116, 49, 196), (197, 8, 126), (197, 19, 19), (250, 134, 6),
    (227, 207, 18), (123, 201, 71),
]  # fmt: skip


def fnv1a_32(text: str) -> int:
    value = 0x811C9DC5
    for byte in text.encode():
        value = ((value ^ byte) * 0x01000193) % 2**32
    return value


def picture(size=(300, 200), colour="red", fmt="JPEG") -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGBA" if fmt == "PNG" else "RGB", size, colour).save(out, format=fmt)
    out.seek(0)
    return out


def upload(api, account, user_id="me", content=None, field="image"):
    return api.as_(account).post(
        f"users/{user_id}/image",
        data={field: (content or picture(), "me.jpg")},
        content_type="multipart/form-data",
    )


def png(response) -> Image.Image:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.data))
    assert (image.format, image.size) == ("PNG", (128, 128))
    return image


def test_the_fnv_hash_is_fnv_1a():
    assert (fnv1a_32(""), fnv1a_32("a"), fnv1a_32("foobar")) == (0x811C9DC5, 0xE40C292C, 0xBF9CF968)


def test_without_an_upload_the_image_is_the_generated_default(api, make_account, room):
    ada = make_account("ada", first_name="Ada", last_name="Lovelace")
    answer = api.as_(room.member).get(f"users/{ada.id}/image")
    image = png(answer).convert("RGB")
    assert answer.headers["Cache-Control"] == "max-age=300, private" and "ETag" not in answer.headers
    assert image.getpixel((2, 2)) == PALETTE[fnv1a_32(ada.id) % len(PALETTE)]
    # The initials are drawn in white.
    assert (255, 255, 255) in {colour for _, colour in image.getcolors(128 * 128)}
    default = api.as_(room.member).get(f"users/{ada.id}/image/default")
    assert default.headers["Cache-Control"] == "max-age=86400, private"
    assert png(default) and default.data == answer.data
    # Another name, other initials; the same user id, the same colour.
    bob = api.as_(room.member).get(f"users/{room.member.id}/image").data
    assert bob != answer.data
    assert api.as_(room.member).get("users/me/image").data == bob


def test_image_lookups_need_a_session_and_a_user(api, room):
    assert_app_error(api.get(f"users/{room.member.id}/image"), 401)
    assert_app_error(api.get(f"users/{room.member.id}/image/default"), 401)
    assert_app_error(
        api.as_(room.member).get("users/" + "a" * 26 + "/image"), 404, "app.user.missing_account.const"
    )
    assert_app_error(api.as_(room.member).get("users/not-an-id/image/default"), 400)


def test_upload_stores_128_pixels_square_and_moves_last_picture_update(api, hub, room, ws_connect):
    socket = ws_connect(room.owner)
    answer = upload(api, room.member, content=picture((300, 200), (0, 90, 200)))
    assert (answer.status_code, answer.get_json()) == (200, {"status": "OK"})
    user = api.as_(room.member).get("users/me").get_json()
    assert user["last_picture_update"] > 0
    updated = socket.expect("user_updated")
    assert updated["data"]["user"]["id"] == room.member.id
    assert updated["data"]["user"]["last_picture_update"] == user["last_picture_update"]

    served = api.as_(room.owner).get(f"users/{room.member.id}/image?_={user['last_picture_update']}")
    assert png(served).convert("RGB").getpixel((64, 64)) == (0, 90, 200)
    assert served.headers["Cache-Control"] == "max-age=86400, private"
    assert served.headers["ETag"] == f'"{user["last_picture_update"]}"'
    assert "Last-Modified" in served.headers
    assert (hub.data_dir / image_path(room.member.id)).read_bytes() == served.data
    unchanged = api.as_(room.owner).get(
        f"users/{room.member.id}/image", headers={"If-None-Match": served.headers["ETag"]}
    )
    assert (unchanged.status_code, unchanged.data) == (304, b"")
    since = api.as_(room.owner).get(
        f"users/{room.member.id}/image", headers={"If-Modified-Since": served.headers["Last-Modified"]}
    )
    assert since.status_code == 304
    # The default stays what it was.
    assert (
        png(api.as_(room.owner).get(f"users/{room.member.id}/image/default")).convert("RGB").getpixel((2, 2))
        == (PALETTE[fnv1a_32(room.member.id) % len(PALETTE)])
    )


def test_a_transparent_png_stays_transparent(api, room):
    upload(api, room.member, content=picture((64, 256), (0, 0, 0, 0), fmt="PNG"))
    image = png(api.as_(room.member).get("users/me/image"))
    assert image.mode == "RGBA" and image.getpixel((64, 64))[3] == 0


def test_images_are_set_and_reset_by_the_user_or_a_system_admin(api, admin, room):
    assert_app_error(upload(api, room.owner, room.member.id), 403, "api.context.permissions.app_error")
    assert_app_error(api.as_(room.owner).delete(f"users/{room.member.id}/image"), 403)
    assert api.as_(room.member).get("users/me").get_json()["last_picture_update"] == 0
    assert upload(api, admin, room.member.id).status_code == 200
    assert api.as_(admin).delete(f"users/{room.member.id}/image").get_json() == {"status": "OK"}
    assert_app_error(upload(api, room.member, "a" * 26), 403)
    assert_app_error(upload(api, admin, "a" * 26), 404, "app.user.missing_account.const")


def test_reset_goes_back_to_the_default(api, hub, room):
    default = api.as_(room.member).get("users/me/image").data
    upload(api, room.member)
    assert api.as_(room.member).get("users/me/image").data != default
    assert api.as_(room.member).delete("users/me/image").get_json() == {"status": "OK"}
    assert api.as_(room.member).get("users/me").get_json()["last_picture_update"] == 0
    assert not (hub.data_dir / image_path(room.member.id)).exists()
    answer = api.as_(room.member).get("users/me/image")
    assert answer.data == default and "ETag" not in answer.headers


def test_an_image_missing_from_the_store_falls_back_to_the_default(api, hub, room):
    upload(api, room.member)
    (hub.data_dir / image_path(room.member.id)).unlink()
    answer = api.as_(room.member).get("users/me/image")
    assert answer.data == api.as_(room.member).get("users/me/image/default").data


@pytest.mark.parametrize(
    "settings, content, status, error_id",
    [
        ({}, b"not an image at all", 400, "api.user.upload_profile_user.decode.app_error"),
        ({}, picture().getvalue()[:200], 400, "api.user.upload_profile_user.decode.app_error"),
        (
            {"MaxImageResolution": 100 * 100 - 1},
            picture((100, 100)).getvalue(),
            400,
            "api.user.upload_profile_user.check_image_limits.app_error",
        ),
        (
            {"MaxFileSize": 200},
            picture((100, 100)).getvalue(),
            413,
            "api.user.upload_profile_user.too_large.app_error",
        ),
    ],
)
def test_uploads_that_are_no_usable_image_are_refused(api, hub, room, settings, content, status, error_id):
    hub.config["FileSettings"].update(settings)
    assert_app_error(upload(api, room.member, content=io.BytesIO(content)), status, error_id)
    assert api.as_(room.member).get("users/me").get_json()["last_picture_update"] == 0
    assert not (hub.data_dir / image_path(room.member.id)).exists()


def test_an_upload_must_be_a_multipart_image_part(api, room):
    as_member = api.as_(room.member)
    assert_app_error(
        as_member.post("users/me/image", {"image": "x"}), 400, "api.user.upload_profile_user.parse.app_error"
    )
    assert_app_error(
        upload(api, room.member, field="file"), 400, "api.user.upload_profile_user.no_file.app_error"
    )
    assert_app_error(api.post("users/me/image"), 401)
