from rest_framework.pagination import LimitOffsetPagination


class ApiPagination(LimitOffsetPagination):
    """`?limit=&offset=`; both are bounded so no request can ask the database for absurd slices."""

    default_limit = 50
    max_limit = 200
    max_offset = 10_000_000

    def get_offset(self, request):
        return min(super().get_offset(request), self.max_offset)

    def paginate_queryset(self, queryset, request, view=None):
        # A counter search usually fits on the first page: then the rows already tell the count,
        # and the COUNT(*) round trip is skipped.
        self.request = request
        self.limit = self.get_limit(request)
        if self.limit is None:
            return None
        self.offset = self.get_offset(request)
        if self.offset == 0:
            rows = list(queryset[: self.limit + 1])
            # Fewer than a page: the rows are the count. A full page: count, but keep the rows.
            self.count = len(rows) if len(rows) <= self.limit else self.get_count(queryset)
            return rows[: self.limit]
        self.count = self.get_count(queryset)
        if self.count == 0 or self.offset > self.count:
            return []
        return list(queryset[self.offset:self.offset + self.limit])
