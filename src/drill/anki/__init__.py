"""Anki's file formats, in one package: writing packages (package), the progress they can
carry (progress) and, for imports, reading packages and collections. The only package that
imports genanki."""
