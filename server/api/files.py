"""/api/v4/files: uploads, the stored bytes, thumbnails, previews and file metadata."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

from flask import Blueprint, Response, request
from werkzeug.wsgi import wrap_file

from hub import serialize
from hub.errors import AppError, invalid_param
from hub.services.files import Download, FileVariant, Upload
from server.auth import actor
from server.http import hub, json_response

bp = Blueprint("files", __name__, url_prefix="/api/v4/files")

# Served as text so a browser never runs an uploaded script or page in the server's origin.
_UNSAFE_CONTENT_TYPES = (
    "application/javascript",
    "application/ecmascript",
    "text/javascript",
    "text/ecmascript",
    "application/x-javascript",
    "text/html",
)
# Shown inline by browsers; everything else is offered as a download.
_MEDIA_CONTENT_TYPES = (
    "image/jpeg",
    "image/png",
    "image/bmp",
    "image/gif",
    "image/tiff",
    "image/webp",
    "video/avi",
    "video/mpeg",
    "video/mp4",
    "audio/mpeg",
    "audio/wav",
)
_FORM_FIELDS = {"channel_id", "client_ids"}


def _parse_multipart() -> tuple[str, list[Upload], list[str]]:
    """channel_id may be a form field (before or after the files) or a query parameter."""
    for field in request.form:
        if field not in _FORM_FIELDS:
            raise invalid_param(field, f"unexpected form field {field!r}")
    for field in request.files:
        if field != "files":
            raise invalid_param(field, f"file parts must be named 'files', not {field!r}")
    channel_ids = {
        value for value in request.form.getlist("channel_id") + request.args.getlist("channel_id") if value
    }
    if len(channel_ids) > 1:
        raise AppError(
            "api.file.upload_file.multiple_channel_ids.app_error",
            "Unable to upload files. Multiple conflicting channel_ids.",
            400,
        )
    parts = request.files.getlist("files")
    client_ids = request.form.getlist("client_ids")
    if client_ids and len(client_ids) != len(parts):
        raise AppError(
            "api.file.upload_file.incorrect_number_of_client_ids.app_error",
            f"Unable to upload files. Have {len(client_ids)} client_ids for {len(parts)} files.",
            400,
        )
    uploads = [Upload(name=part.filename or "", content=part.stream) for part in parts]
    return next(iter(channel_ids), ""), uploads, client_ids


def _parse_raw_body() -> tuple[str, list[Upload], list[str]]:
    """The whole body is one file; its name and channel come in the query string."""
    chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    if request.content_length == 0 or (request.content_length is None and not chunked):
        raise AppError(
            "api.file.upload_file.read_request.app_error",
            "Unable to upload file(s). Error reading or parsing request data.",
            400,
            "the request has no body",
        )
    filename = request.args.get("filename", "")
    if not filename:
        raise invalid_param("filename", "filename is required when the body is the file")
    client_id = request.args.get("client_id", "")
    upload = Upload(name=filename, content=request.stream)
    return request.args.get("channel_id", ""), [upload], [client_id] if client_id else []


@bp.post("")
def upload_files():
    caller = actor()
    if request.mimetype == "multipart/form-data":
        channel_id, uploads, client_ids = _parse_multipart()
    else:
        channel_id, uploads, client_ids = _parse_raw_body()
    infos = hub().files.upload(caller, channel_id, uploads)
    return json_response(
        {"file_infos": [serialize.file_info(i) for i in infos], "client_ids": client_ids}, 201
    )


def _file_response(download: Download) -> Response:
    content_type = download.mime_type or "application/octet-stream"
    if content_type.startswith(_UNSAFE_CONTENT_TYPES):
        content_type = "text/plain"
    forced = request.args.get("download", "").lower() in ("1", "t", "true")
    as_attachment = forced or not content_type.startswith(_MEDIA_CONTENT_TYPES)
    response = Response(wrap_file(request.environ, download.content), direct_passthrough=True)
    # Set by hand: Flask would add a charset to text types, and clients compare the stored type.
    response.headers["Content-Type"] = content_type
    response.content_length = download.size
    response.last_modified = datetime.fromtimestamp(download.update_at / 1000, UTC)
    response.make_conditional(request.environ, accept_ranges=True, complete_length=download.size)
    # The WSGI server writes its own Date header; a second one would make the answer malformed.
    del response.headers["Date"]
    escaped = quote(download.name, safe="$&+:=@")
    disposition = "attachment" if as_attachment else "inline"
    response.headers["Content-Disposition"] = (
        f"{disposition};filename=\"{escaped}\"; filename*=UTF-8''{escaped}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = "Frame-ancestors 'none'"
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


@bp.get("/<file_id>")
def get_file(file_id: str):
    return _file_response(hub().files.open(actor(), file_id, FileVariant.ORIGINAL))


@bp.get("/<file_id>/thumbnail")
def get_file_thumbnail(file_id: str):
    return _file_response(hub().files.open(actor(), file_id, FileVariant.THUMBNAIL))


@bp.get("/<file_id>/preview")
def get_file_preview(file_id: str):
    return _file_response(hub().files.open(actor(), file_id, FileVariant.PREVIEW))


@bp.get("/<file_id>/info")
def get_file_info(file_id: str):
    info = hub().files.get_info(actor(), file_id)
    return json_response(serialize.file_info(info), headers={"Cache-Control": "max-age=2592000, private"})
