"""HTML forms, one module per view module (``banks``, ``quizzes``, ``documents``,
``imports``, ``groups``, ``members``, ``assignments``), and ``common`` for what several
share. A form reads and checks input; it never extracts a file or writes: the views hand
its cleaned data to the services."""
