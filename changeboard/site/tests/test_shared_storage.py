"""Files in the shared storage, each test run twice: on the local file
system and on a real S3-compatible server (moto, over HTTP). Evidence,
hypercare attachments, staged imports and board packs are written, read
back through their permission-checked views and removed; a file written by
one "machine" is read by another; a name in use is never overwritten; no
public URL leads to a file; and the migrations carry existing bytes into
the storage.

Here, in the site app, because the journeys cross the domain apps."""

from __future__ import annotations

import datetime as dt
import urllib.error
import urllib.request
import uuid
from typing import Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from changeboard.core import uploads
from changeboard.core.models import AuditEntry, PendingUpload
from changeboard.core.tests.storage import FileStorage, S3Bucket, s3_env, s3_storages
from changeboard.hypercare.models import Attachment
from changeboard.hypercare.tests.test_hypercare_permissions import Hypercare
from changeboard.readiness.models import Evidence
from changeboard.readiness.services import criteria as readiness
from changeboard.reports import packs
from changeboard.reports.models import BoardPack

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def stored(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return handle.read()


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def another_machine() -> Any:
    """A second storage instance built from the same settings, as another
    web process or worker on another machine builds its own."""
    config = settings.STORAGES["default"]
    return import_string(config["BACKEND"])(**config.get("OPTIONS", {}))


def assert_private(file_storage: FileStorage, client: Any, name: str) -> None:
    """Nothing but our views hands the file out: on S3 the object grants no
    one but its owner and an unsigned request for it is refused; on the file
    system MEDIA_URL is not served."""
    if file_storage.bucket is not None:
        bucket = file_storage.bucket
        key = default_storage._normalize_name(name)  # type: ignore[attr-defined]  # S3Storage's own: the key under S3_PREFIX
        grants = bucket.client.get_object_acl(Bucket=bucket.name, Key=key)["Grants"]
        assert all(g["Grantee"].get("Type") == "CanonicalUser" for g in grants), grants
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{bucket.endpoint}/{bucket.name}/{key}")  # noqa: S310  (the test's own moto server)
        assert refused.value.code == 403
        assert "X-Amz-Signature" not in default_storage.url(name) and "Signature=" not in default_storage.url(name)
    else:
        assert client.get("/media/" + name).status_code == 404


@pytest.fixture
def hc(world: Any) -> Hypercare:
    return Hypercare(world)


def test_evidence_is_stored_downloaded_through_its_view_and_deleted(file_storage: FileStorage, client: Any, world: Any,
                                                                   django_capture_on_commit_callbacks: Any) -> None:
    lead = world.users["lead"]
    criterion = readiness.criterion_save(programme=world.programme_a, actor=lead, title="Local process signed off")
    client.force_login(lead)
    done = client.post(reverse("evidence-add", args=[criterion.pk]),
                       {"title": "Minutes", "file": SimpleUploadedFile("minutes.pdf", PDF, "application/pdf")})
    assert done.status_code == 302
    evidence = Evidence.objects.get(title="Minutes")
    name = str(evidence.file.name)
    assert name.startswith(f"evidence/{criterion.pk}/") and "minutes" not in name  # a random name: the original stays in the row
    assert stored(name) == PDF
    if file_storage.bucket is not None:
        assert file_storage.bucket.keys() == [name]
    download = client.get(reverse("evidence-download", args=[evidence.pk]))
    assert download.status_code == 200 and body(download) == PDF
    assert download["Content-Disposition"] == 'attachment; filename="minutes.pdf"' and download["X-Content-Type-Options"] == "nosniff"
    api = client.get(reverse("api-evidence-download", args=[evidence.pk]))
    assert api.status_code == 200 and body(api) == PDF
    page = client.get(criterion.get_absolute_url()).content.decode()
    assert name not in page and "/media/" not in page
    assert_private(file_storage, client, name)
    client.force_login(world.users["lead2"])  # another programme's lead: not theirs
    assert client.get(reverse("evidence-download", args=[evidence.pk])).status_code == 404
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("evidence-delete", args=[evidence.pk])).status_code == 302
    assert not default_storage.exists(name) and not Evidence.objects.exists()


def test_a_missing_evidence_file_is_a_404_not_an_error(file_storage: FileStorage, client: Any, world: Any) -> None:
    lead = world.users["lead"]
    criterion = readiness.criterion_save(programme=world.programme_a, actor=lead, title="Local process signed off")
    evidence = readiness.evidence_add(criterion=criterion, title="Minutes", file=SimpleUploadedFile("minutes.pdf", PDF), actor=lead)
    default_storage.delete(str(evidence.file.name))  # removed behind the app's back
    client.force_login(lead)
    assert client.get(reverse("evidence-download", args=[evidence.pk])).status_code == 404


def test_attachments_are_stored_and_downloaded_through_their_view(file_storage: FileStorage, client: Any, hc: Hypercare) -> None:
    client.force_login(hc.support_lead)
    done = client.post(reverse("query-attach", args=[hc.q_in.pk]), {"attach-file": SimpleUploadedFile("steps.pdf", PDF, "application/pdf")})
    assert done.status_code == 302
    attachment = Attachment.objects.get(query=hc.q_in)
    name = str(attachment.file.name)
    assert name.startswith(f"hypercare/{hc.q_in.pk}/") and stored(name) == PDF
    download = client.get(reverse("attachment-download", args=[attachment.pk]))
    assert download.status_code == 200 and body(download) == PDF
    assert download["Content-Disposition"] == 'attachment; filename="steps.pdf"' and "no-store" in download["Cache-Control"]
    assert AuditEntry.objects.filter(action="download", object_id=str(attachment.pk)).count() == 1
    assert_private(file_storage, client, name)
    client.force_login(hc.world.users["lead2"])
    assert client.get(reverse("attachment-download", args=[attachment.pk])).status_code in {403, 404}
    default_storage.delete(name)
    client.force_login(hc.support_lead)
    assert client.get(reverse("attachment-download", args=[attachment.pk])).status_code == 404


def test_a_board_pack_is_built_into_the_storage_and_downloaded(file_storage: FileStorage, client: Any, world: Any,
                                                             django_capture_on_commit_callbacks: Any) -> None:
    board = world.users["board"]
    with django_capture_on_commit_callbacks(execute=True):
        pack = packs.pack_request(as_of=timezone.localdate(), actor=board)
    pack.refresh_from_db()
    assert pack.status == BoardPack.Status.READY, pack.error
    for kind, magic in (("pdf", b"%PDF"), ("xlsx", b"PK\x03\x04")):
        field_file = getattr(pack, kind)
        assert str(field_file.name).startswith("board-packs/") and str(field_file.name).endswith(f".{kind}")
        data = stored(str(field_file.name))
        assert data.startswith(magic) and len(data) == getattr(pack, f"{kind}_size")
    if file_storage.bucket is not None:
        assert sorted(file_storage.bucket.keys()) == sorted([str(pack.pdf.name), str(pack.xlsx.name)])
    client.force_login(board)
    page = client.get(pack.get_absolute_url()).content.decode()
    assert str(pack.pdf.name) not in page and "/media/" not in page
    download = client.get(reverse("pack-download", args=[pack.pk, "pdf"]))
    assert download.status_code == 200 and body(download) == stored(str(pack.pdf.name))
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == f'attachment; filename="board-pack-{pack.as_of.isoformat()}.pdf"'
    api = client.get(reverse("api-pack-download", args=[pack.pk]), {"kind": "xlsx"})
    assert api.status_code == 200 and body(api) == stored(str(pack.xlsx.name))
    assert_private(file_storage, client, str(pack.pdf.name))
    client.force_login(world.users["lead"])  # packs are the Board's
    assert client.get(reverse("pack-download", args=[pack.pk, "pdf"])).status_code == 403
    client.force_login(board)
    default_storage.delete(str(pack.pdf.name))
    audited = AuditEntry.objects.filter(action="download").count()
    assert client.get(reverse("pack-download", args=[pack.pk, "pdf"])).status_code == 404
    assert AuditEntry.objects.filter(action="download").count() == audited  # no file, no download recorded


def test_a_pack_that_is_not_stored_leaves_no_files(file_storage: FileStorage, world: Any, django_capture_on_commit_callbacks: Any,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The files are written before the row is marked ready; a failure
    after that removes them, and the pack is failed with the reason."""
    def broken_store(*args: Any, **kwargs: Any) -> bool:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(packs, "_store", broken_store)
    with django_capture_on_commit_callbacks(execute=True):
        pack = packs.pack_request(as_of=timezone.localdate(), actor=world.users["board"])
    pack.refresh_from_db()
    assert pack.status == BoardPack.Status.FAILED and "the database went away" in pack.error and not pack.pdf
    if file_storage.bucket is not None:
        assert file_storage.bucket.keys() == []
    else:
        assert not default_storage.exists("board-packs") or default_storage.listdir("board-packs")[1] == []


def test_files_no_pack_names_are_swept_once_no_build_could_still_store_them(
        file_storage: FileStorage, world: Any, django_capture_on_commit_callbacks: Any, caplog: pytest.LogCaptureFixture) -> None:
    """A worker killed between writing a build's files and storing the pack
    leaves them behind; the scheduler's pass removes them once they are
    older than a build may take, and never a stored pack's files."""
    with django_capture_on_commit_callbacks(execute=True):
        pack = packs.pack_request(as_of=timezone.localdate(), actor=world.users["board"])
    pack.refresh_from_db()
    assert pack.status == BoardPack.Status.READY, pack.error
    kept = sorted([str(pack.pdf.name), str(pack.xlsx.name)])
    left = sorted(default_storage.save(f"board-packs/{n}-dead-build.pdf", ContentFile(PDF)) for n in range(2))

    def names() -> list[str]:
        return sorted(f"board-packs/{name}" for name in default_storage.listdir("board-packs")[1])

    assert packs.sweep_orphan_files() == 0  # young: a running build may yet store them
    assert names() == sorted(kept + left)
    assert packs.sweep_orphan_files(timezone.now() + packs.BUILD_TIMEOUT + dt.timedelta(minutes=1)) == 2
    assert names() == kept
    assert "Removed 2 board pack file(s)" in caplog.text and "dead-build" not in caplog.text  # no file names logged


def test_the_sweep_never_stops_the_scheduler(file_storage: FileStorage, db: Any, monkeypatch: pytest.MonkeyPatch,
                                             caplog: pytest.LogCaptureFixture) -> None:
    assert packs.sweep_orphan_files() == 0  # nothing stored yet: no folder on the file system, none in the bucket

    class Unreachable:
        def listdir(self, path: str) -> Any:
            raise OSError("the storage is unreachable")

    monkeypatch.setattr(BoardPack._meta.get_field("pdf"), "storage", Unreachable())
    assert packs.sweep_orphan_files() == 0
    assert "Could not sweep the board packs' orphaned files" in caplog.text


def test_a_staged_import_lives_in_the_storage_until_committed(file_storage: FileStorage, client: Any, world: Any,
                                                             django_capture_on_commit_callbacks: Any) -> None:
    admin = world.users["admin"]
    client.force_login(admin)
    data = b"staff_number,first_name\r\n"
    response = client.post(reverse("staff-import"), {"file": SimpleUploadedFile("people.csv", data, content_type="text/csv")})
    pending = PendingUpload.objects.get()
    assert response.status_code == 302 and bytes(pending.sheet)
    name = str(pending.file.name)
    assert name.startswith("imports/staff/") and "people" not in name and stored(name) == data
    assert uploads.content_of(pending) == data and another_machine().open(name).read() == data
    assert client.get(reverse("staff-import-preview", args=[pending.token])).status_code == 200

    class Report:
        def counts(self) -> dict[str, Any]:
            return {"created": 0}

    with django_capture_on_commit_callbacks(execute=True):
        uploads.commit(upload=pending, actor=admin, write=lambda upload: Report())
    pending.refresh_from_db()
    assert pending.status == PendingUpload.Status.COMMITTED and not pending.file and not default_storage.exists(name)
    assert uploads.content_of(pending) == b""


def test_a_staged_file_goes_with_its_row(file_storage: FileStorage, world: Any, django_capture_on_commit_callbacks: Any) -> None:
    """The stale sweep and a deletion cascading from the uploader remove the
    files too; a rolled-back delete keeps them."""
    old = uploads.stage(kind=PendingUpload.Kind.STAFF, data=b"a,b\r\n", filename="old.csv", actor=world.users["admin"])
    PendingUpload.objects.filter(pk=old.pk).update(created=timezone.now() - uploads.STALE_AFTER - dt.timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        newer = uploads.stage(kind=PendingUpload.Kind.STAFF, data=b"c,d\r\n", filename="new.csv", actor=world.users["lead"])
    assert not PendingUpload.objects.filter(pk=old.pk).exists() and not default_storage.exists(str(old.file.name))
    assert default_storage.exists(str(newer.file.name))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        world.users["lead"].delete()
    assert default_storage.exists(str(newer.file.name))  # not before the delete commits
    for callback in callbacks:
        callback()
    assert not default_storage.exists(str(newer.file.name))


def test_a_file_saved_by_one_machine_is_read_and_deleted_by_another(file_storage: FileStorage) -> None:
    """Two storage instances from the same settings (two machines): what one
    writes the other reads, lists and deletes; the probe `/readyz` uses
    (save, exists, delete on `default_storage`) works on both backends."""
    first, second = another_machine(), another_machine()
    assert first is not second
    name = first.save(f"probes/{uuid.uuid4().hex}", ContentFile(b"written on machine one"))
    assert second.exists(name) and second.size(name) == len(b"written on machine one")
    with second.open(name, "rb") as handle:
        assert handle.read() == b"written on machine one"
    second.delete(name)
    assert not first.exists(name)
    probe = default_storage.save("readyz/probe", ContentFile(b"ok"))
    assert default_storage.exists(probe)
    default_storage.delete(probe)
    assert not default_storage.exists(probe)


def test_a_name_in_use_is_never_overwritten(file_storage: FileStorage) -> None:
    first = default_storage.save("evidence/1/same-name", ContentFile(b"first"))
    second = another_machine().save("evidence/1/same-name", ContentFile(b"second"))
    assert first == "evidence/1/same-name" and second != first and second.startswith("evidence/1/same-name")
    assert stored(first) == b"first" and stored(second) == b"second"


def test_the_s3_backend_is_configured_private_and_unsigned(s3_bucket: S3Bucket, settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from storages.backends.s3 import S3Storage

    s3_env(monkeypatch, s3_bucket, S3_PREFIX="/changeboard/")
    settings.STORAGES = s3_storages(settings)
    storage = another_machine()
    assert isinstance(storage, S3Storage)
    assert storage.default_acl is None and storage.querystring_auth is False and storage.file_overwrite is False
    assert storage.bucket_name == s3_bucket.name and storage.addressing_style == "path" and storage.location == "changeboard"
    name = default_storage.save("evidence/1/x", ContentFile(b"x"))
    assert s3_bucket.keys() == [f"changeboard/{name}"]  # under the prefix, so one bucket can serve several uses


# ---------------------------------------------------------------- the migrations


def migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


LATEST = [("reports", "0003_pack_files_in_storage"), ("core", "0011_pendingupload_file_in_storage")]
BEFORE = [("reports", "0002_pack_started_at_one_live_scheduled"), ("core", "0010_outbox_alternatives_stakeholder_import")]


@pytest.mark.django_db(transaction=True)
def test_the_migrations_move_existing_bytes_into_the_storage_and_back(file_storage: FileStorage, client: Any) -> None:
    """Packs and staged uploads held in the database before the move are in
    the storage after it, still downloadable through the views; migrating
    back reads them in again."""
    from changeboard.accounts.models import Role, User

    board = User.objects.create_user(username="board-migrate", password="x-Long-test-passw0rd", role=Role.BOARD)
    migrate(BEFORE)
    try:
        apps = MigrationExecutor(connection).loader.project_state(BEFORE).apps
        old_pack = apps.get_model("reports", "BoardPack").objects.create(
            as_of=dt.date(2026, 10, 31), title="Board pack, as of 31 October 2026", status="ready", content={}, html="<p>pack</p>",
            pdf=PDF, xlsx=b"PK\x03\x04 old pack")
        apps.get_model("reports", "BoardPack").objects.create(as_of=dt.date(2026, 9, 30), title="Queued", status="queued")
        old_upload = apps.get_model("core", "PendingUpload").objects.create(
            kind="staff", original_filename="people.csv", uploaded_by_id=board.pk, content=b"staff_number\r\n1\r\n")
        apps.get_model("core", "PendingUpload").objects.create(kind="staff", original_filename="done.csv", uploaded_by_id=board.pk,
                                                              content=b"", status="committed")
    finally:
        migrate(LATEST)
    pack = BoardPack.objects.get(pk=old_pack.pk)
    assert stored(str(pack.pdf.name)) == PDF and stored(str(pack.xlsx.name)) == b"PK\x03\x04 old pack"
    assert (pack.pdf_size, pack.xlsx_size) == (len(PDF), len(b"PK\x03\x04 old pack"))
    assert not BoardPack.objects.get(status="queued").pdf
    upload = PendingUpload.objects.get(pk=old_upload.pk)
    assert uploads.content_of(upload) == b"staff_number\r\n1\r\n" and not PendingUpload.objects.get(status="committed").file
    client.force_login(board)
    download = client.get(reverse("pack-download", args=[pack.pk, "pdf"]))
    assert download.status_code == 200 and body(download) == PDF
    assert download["Content-Disposition"] == 'attachment; filename="board-pack-2026-10-31.pdf"'

    migrate(BEFORE)
    try:
        apps = MigrationExecutor(connection).loader.project_state(BEFORE).apps
        back = apps.get_model("reports", "BoardPack").objects.get(pk=pack.pk)
        assert bytes(back.pdf) == PDF and bytes(back.xlsx) == b"PK\x03\x04 old pack"
        assert bytes(apps.get_model("core", "PendingUpload").objects.get(pk=upload.pk).content) == b"staff_number\r\n1\r\n"
    finally:
        migrate(LATEST)
