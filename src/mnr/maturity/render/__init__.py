"""The maturity profile (web page, HTML, PDF) and the action plan (XLSX, PDF) as documents:
``chart`` (the heat strip, a Vega-Lite spec), ``profile`` and ``plan``; ``texts`` holds their
fixed wording and ``output`` what the commands share."""
