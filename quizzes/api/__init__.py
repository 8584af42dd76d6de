"""The REST API (Django REST framework): serializers, views and urls, mounted at ``api/``.

Session authentication with CSRF (the pages' own JavaScript calls it); views stay thin and
call the same services and selectors as the HTML views.
"""
