"""Twilio Studio flows offline: run, map, validate, import and export a Flow definition (JSON).

A flow is served to the simulator's one engine as an in-process webhook app (`runner`), so every
verb keeps Twilio's semantics. Liquid (python-liquid) and the schema checks (jsonschema) are the
optional `studio` extra, imported only when a flow is run or checked.
"""
