"""Question interchange formats: readers and writers between files and ``QuestionDraft``."""
