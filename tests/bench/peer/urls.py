from django.urls import path

from .views import shoe_finder

urlpatterns = [path("find/", shoe_finder, name="shoe_finder")]
