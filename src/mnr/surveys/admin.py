from django.contrib import admin

from mnr.admin_site import ReadOnlyAdmin
from mnr.surveys.models import Answer, AnswerChange, Round, Submission


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ("round", "jurisdiction", "channel", "status", "updated_at")
    list_filter = ("round", "status", "channel")


for model in (Round, Answer, AnswerChange):
    admin.site.register(model, ReadOnlyAdmin)
