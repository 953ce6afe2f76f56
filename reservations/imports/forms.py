"""The feeds and import pages' forms: they check the shape of what was typed; services the rest."""

from django import forms

from locks.forms import units_pick
from reservations.imports.csv_import import MAX_FILE_BYTES


class FeedForm(forms.Form):
    unit = forms.ModelChoiceField(
        queryset=None, empty_label=None, error_messages={"required": "Choose the unit."}
    )
    name = forms.CharField(
        max_length=100,
        error_messages={"required": "Give the feed a name, e.g. Airbnb."},
        widget=forms.TextInput(attrs={"placeholder": "e.g. Airbnb"}),
    )
    url = forms.CharField(
        label="Calendar address",
        max_length=1000,
        help_text="The calendar's export link from the booking site (it usually ends in .ics).",
        error_messages={"required": "Paste the calendar's export link."},
        widget=forms.URLInput(attrs={"placeholder": "https://www.airbnb.com/calendar/ical/….ics"}),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        units_pick(self.fields["unit"], units)

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        # Calendar apps hand out webcal:// links; they are https underneath.
        if url.lower().startswith("webcal://"):
            url = "https://" + url[len("webcal://") :]
        forms.URLField(
            assume_scheme="https",
            error_messages={"invalid": "This is not a web address. Paste the full export link."},
        ).clean(url)
        return url


class CsvUploadForm(forms.Form):
    file = forms.FileField(
        label="Spreadsheet (CSV)",
        error_messages={"required": "Choose a CSV file to upload."},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {MAX_FILE_BYTES // 1024} KB. Split it into smaller "
                "files and import them one after the other."
            )
        return upload
