from django.http import HttpResponse


def signup(request):
    return HttpResponse("")


def dashboard(request):
    return HttpResponse("")
