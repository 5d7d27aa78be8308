"""`python -m editor [FILE]` runs the editor like the `twiml-editor` command."""

from editor.app import main

main()
