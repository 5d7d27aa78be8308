"""Modal screens of the editor: help, add-element menu, prompts and dialogs."""
