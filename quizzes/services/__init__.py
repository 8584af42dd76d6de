"""The only code that writes: banks, quizzes, groups, attempts. Keyword-only, annotated,
each state change in one function inside ``transaction.atomic``."""
