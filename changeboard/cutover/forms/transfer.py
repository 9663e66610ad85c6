"""The forms of a runbook's import: the MS Project XML upload (the
spreadsheet upload is `core.forms.SpreadsheetUploadForm`) and the commit
step, which offers no "valid rows only": a runbook is a network of tasks,
so a file with an error is corrected and uploaded again."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any, cast

from django import forms
from django.conf import settings

from changeboard.core.forms import ImportCommitForm, SpreadsheetUploadForm
from changeboard.core.tabular import ImportFileError

from .. import mspdi
from ..importing import mspdi_sheet


class MspdiUploadForm(SpreadsheetUploadForm):
    """An .xml file saved by MS Project ("Save as", XML format), read now so
    a file that is not one is refused on the upload page."""

    file_label = "Upload the MS Project XML file"
    file_help = "In MS Project: File, Save As, and choose \"XML Format (*.xml)\"."
    file_missing = "Select the MS Project XML file"
    extensions = (".xml",)  # type: ignore[assignment]  # the base's three spreadsheet suffixes, one here

    file = forms.FileField(widget=forms.ClearableFileInput(attrs={"accept": ".xml"}))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = min(settings.IMPORT_MAX_UPLOAD_MB * 1024 * 1024, mspdi.MAX_BYTES)
        if upload.size > limit:
            raise forms.ValidationError(f"The selected file must be smaller than {limit // 1024 // 1024} MB")
        if PurePath(upload.name).suffix.lower() not in self.extensions:
            raise forms.ValidationError("The selected file must be an MS Project XML (.xml) file")
        data = upload.read()
        try:
            self.sheet = mspdi_sheet(data)
        except ImportFileError as exc:
            raise forms.ValidationError(str(exc).rstrip("."))
        upload.seek(0)
        self.data_bytes = data
        return upload


class TaskImportCommitForm(ImportCommitForm):
    """The one way to commit a runbook's tasks: the whole file."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["mode"])
        field.choices = [(self.ALL, "Import the file: update the tasks with these IDs, add the new ones and remove the runbook's "
                                    "tasks that are not in the file")]
        field.help_text = "A file with errors is never imported: the tasks depend on each other."
