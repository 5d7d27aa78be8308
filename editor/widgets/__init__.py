"""The editor's widgets: one small module per widget; they post intents, never edit the model."""
