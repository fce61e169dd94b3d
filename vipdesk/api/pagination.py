from rest_framework.pagination import LimitOffsetPagination


class ApiPagination(LimitOffsetPagination):
    """`?limit=&offset=`; both are bounded so no request can ask the database for absurd slices."""

    default_limit = 50
    max_limit = 200
    max_offset = 10_000_000

    def get_offset(self, request):
        return min(super().get_offset(request), self.max_offset)
