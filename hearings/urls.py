app_name = "hearings"

urlpatterns = []
