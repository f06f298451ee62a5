"""Quản trị's deploy form picks its files with the app's own words ("Chọn tệp…", "Chưa chọn
tệp"), as every other file picker of the app does, not the browser's "Choose Files"."""

from __future__ import annotations

from typing import Any


def test_admin_file_picker__the_deploy_form_speaks_vietnamese(login: Any) -> None:
    html = login("quantri").get("/admin/processes").get_data(as_text=True)
    picker = html[html.index("data-file-picker") :][:900]
    assert '<input type="file" id="files" name="files" multiple' in picker
    assert 'aria-describedby="files-hint"' in picker
    assert (
        '<label for="files" class="button file-button" aria-hidden="true">Chọn tệp…</label>'
        in picker
    )
    assert '<span class="file-names" aria-live="polite">Chưa chọn tệp</span>' in picker
    assert html.count('type="file"') == 1
