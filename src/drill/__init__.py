"""drill: spaced-repetition quizzes and Anki decks from YAML cards."""

__version__ = "0.1.0"
