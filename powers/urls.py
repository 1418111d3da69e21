"""Pages of the power list: public catalogue under powers/, staff workbench under powers/manage/."""

from django.urls import path

from . import views

app_name = "powers"

urlpatterns = [
    path("powers/", views.PowerListView.as_view(), name="list"),
    # Staff pages first: "manage" is not a uniform code, but keep the order explicit.
    path("powers/manage/", views.WorkbenchView.as_view(), name="manage"),
    path("powers/manage/declare/", views.PowerFormView.as_view(), name="declare"),
    path("powers/manage/merge/", views.MergeView.as_view(), name="merge"),
    path("powers/manage/<int:pk>/", views.ManagePowerView.as_view(), name="manage_power"),
    path("powers/manage/<int:pk>/edit/", views.PowerFormView.as_view(), name="edit"),
    path("powers/manage/<int:pk>/flowchart/", views.FlowchartFormView.as_view(), name="edit_flowchart"),
    path("powers/manage/<int:pk>/standards/new/", views.StandardFormView.as_view(), name="add_standard"),
    path(
        "powers/manage/<int:pk>/standards/<int:standard_pk>/",
        views.StandardFormView.as_view(),
        name="edit_standard",
    ),
    path(
        "powers/manage/<int:pk>/standards/<int:standard_pk>/delete/",
        views.RemoveStandardView.as_view(),
        name="remove_standard",
    ),
    path("powers/manage/<int:pk>/submit/", views.SubmitView.as_view(), name="submit"),
    path("powers/manage/<int:pk>/approve/", views.ApproveView.as_view(), name="approve"),
    path("powers/manage/<int:pk>/return/", views.ReturnView.as_view(), name="return"),
    path("powers/manage/<int:pk>/publish/", views.PublishView.as_view(), name="publish"),
    path("powers/manage/<int:pk>/revise/", views.ReviseView.as_view(), name="revise"),
    path("powers/manage/<int:pk>/delegate/", views.DelegateView.as_view(), name="delegate"),
    path("powers/manage/<int:pk>/abolish/", views.AbolishView.as_view(), name="abolish"),
    path("powers/<str:code>/", views.PowerDetailView.as_view(), name="detail"),
    path("powers/<str:code>/flowchart.svg", views.FlowchartSvgView.as_view(), name="flowchart_svg"),
]
