from django.contrib import admin

from mnr.admin_site import ReadOnlyAdmin
from mnr.frameworks.models import (
    Capability,
    Channel,
    Edition,
    Instrument,
    InstrumentQuestion,
    Phase,
)

for model in (Channel, Edition, Capability, Phase, Instrument, InstrumentQuestion):
    admin.site.register(model, ReadOnlyAdmin)
