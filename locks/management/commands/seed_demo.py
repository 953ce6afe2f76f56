"""Demo data: a hotel and a rental home with simulated locks, their guests' stays, and logins.

Safe to run again: what exists is kept; only the demo API key is replaced (its secret is shown
once, so a new one is made to print).
"""

from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from locks import access_codes, services, simulator
from locks.models import ApiKey, Lock, Membership, Owner, Property, Unit
from locks.reconcile import lock_reconcile
from locks.tenancy import services as tenancy
from locks.times import stay_bounds
from reservations.guest_links import guest_link_open, guest_page_path
from reservations.models import Reservation
from reservations.stays import reservation_create

DEMO_PASSWORD = "innkeeper-demo"
DEMO_KEY_NAME = "Demo key (make run)"
DEFAULT_BASE_URL = "http://127.0.0.1:8000"

HOTEL_DOORS = [
    # (unit, door name, simulated model)
    (None, "Street entrance", "scheduling"),
    ("Room 101", "Room 101", "keypad"),
    ("Room 102", "Room 102", "keypad"),
    ("Room 201", "Room 201", "strict"),
]
HOME_DOORS = [
    ("Whole house", "Front door", "scheduling"),
    ("Whole house", "Garden gate", "keypad"),
]


class Command(BaseCommand):
    help = (
        "Load demo data: an owner with a manager and a front-desk login, properties, locks, "
        "reservations."
    )

    def add_arguments(self, parser):
        parser.add_argument("--owner", default="demo", help="The owner's slug (default: demo).")
        parser.add_argument(
            "--base-url",
            default=DEFAULT_BASE_URL,
            help=f"Where the dashboard is served, for the addresses it prints (default: "
            f"{DEFAULT_BASE_URL}; `make run` passes its HOST and PORT).",
        )

    def handle(self, *args, owner: str, base_url: str, **options):
        base_url = base_url.rstrip("/")
        now = timezone.now()
        with transaction.atomic():
            demo, created = Owner.objects.get_or_create(
                slug=owner,
                defaults={
                    "name": "Seaside Stays" if owner == "demo" else owner,
                    # Every demo lock keeps backup codes ready, as the guide recommends.
                    "backup_pool_on_new_locks": True,
                },
            )
            manager = self._user(owner, Membership.Role.MANAGER, demo, "Maya Costa")
            clerk = self._user(f"{owner}-desk", Membership.Role.FRONT_DESK, demo, "Rui Alves")
            if not demo.properties.exists():
                self._properties(demo, now)
            ApiKey.objects.filter(owner=demo, name=DEMO_KEY_NAME, revoked_at__isnull=True).update(
                revoked_at=now
            )
            _, secret = tenancy.api_key_create(owner=demo, name=DEMO_KEY_NAME)

        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data for “{demo.name}” is ready" + (" (new)." if created else ".")
            )
        )
        self.stdout.write(f"  Dashboard:         {base_url}/")
        self.stdout.write(f"  Manager login:     {manager.username} / {DEMO_PASSWORD}")
        self.stdout.write(f"  Front desk login:  {clerk.username} / {DEMO_PASSWORD}")
        self.stdout.write(f"  API key:           {secret}")
        self.stdout.write(f'  Try it:            Seam(api_key="…", endpoint="{base_url}/api")')
        guest = next(
            (
                stay
                for stay in Reservation.objects.filter(owner=demo, check_out__gt=now)
                .select_related("unit")
                .order_by("check_in")
                if guest_link_open(stay, now)
            ),
            None,
        )
        if guest is not None:
            page = base_url + guest_page_path(guest)
            self.stdout.write(f"  A guest's page:    {page} ({guest.guest_name})")

    def _user(self, username: str, role: str, owner: Owner, full_name: str):
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            first, last = full_name.split()
            user = User.objects.create_user(
                username=username,
                password=DEMO_PASSWORD,
                email=f"{username}@example.com",
                first_name=first,
                last_name=last,
            )
        Membership.objects.get_or_create(user=user, owner=owner, defaults={"role": role})
        return user

    def _properties(self, owner: Owner, now: datetime) -> None:
        hotel = services.property_create(
            owner=owner,
            name="Harbour Hotel",
            address="12 Quay Street, Lisbon",
            time_zone="Europe/Lisbon",
            country="PT",
        )
        home = services.property_create(
            owner=owner,
            name="Olive Tree Cottage",
            address="Estrada do Moinho 4, Sintra",
            time_zone="Europe/Lisbon",
            country="PT",
            default_check_in=time(16, 0),
            default_check_out=time(10, 0),
        )
        locks, units = {}, {}
        for prop, doors in ((hotel, HOTEL_DOORS), (home, HOME_DOORS)):
            for unit_name, door, model in doors:
                unit = None
                if unit_name:
                    unit = units.get(unit_name) or services.unit_create(
                        property=prop, name=unit_name
                    )
                    units[unit_name] = unit
                locks[door] = simulator.simulated_lock_create(
                    owner=owner,
                    property=prop,
                    unit=unit,
                    name=door,
                    location="Ground floor" if unit is None else "",
                    model=model,
                    now=now,
                    latency_ms=150,
                )
        self._codes(locks, now)
        maria = self._stays(owner, hotel, home, units, now)
        self._arrived(maria, [locks["Street entrance"], locks["Room 102"]], now)

    def _arrived(self, stay, doors: list[Lock], now: datetime) -> None:
        """The guest in house came in yesterday: her code goes on her doors now (one pass each),
        and her entries are at the doors' keypads at check-in, as if read from their hubs."""
        for door in doors:
            lock_reconcile(lock=door, now=now)
        came_in = stay.check_in + timedelta(minutes=52)
        for minutes, door in enumerate(doors):
            simulator.simulated_keypad_entry(
                lock=door, code=stay.pin, now=came_in + timedelta(minutes=minutes)
            )

    def _codes(self, locks: dict[str, Lock], now: datetime) -> None:
        access_codes.access_code_create(
            lock=locks["Street entrance"], now=now, name="Housekeeping", kind="staff"
        )
        simulator.simulated_add_unmanaged_code(
            lock=locks["Garden gate"], code="2741", name="Gardener", now=now
        )

    def _stays(
        self, owner: Owner, hotel: Property, home: Property, units: dict[str, Unit], now: datetime
    ):
        """The demo's stays; returns the guest in house (Maria Silva)."""
        today = now.astimezone(hotel.tz).date()

        def stay(unit: str, guest: str, phone: str, check_in: datetime, check_out: datetime, **kw):
            return reservation_create(
                owner=owner,
                unit=units[unit],
                guest_name=guest,
                phone=phone,
                check_in=check_in,
                check_out=check_out,
                now=now,
                **kw,
            )

        def days(prop: Property, arrive: int, leave: int) -> tuple[datetime, datetime]:
            return stay_bounds(prop, today + timedelta(days=arrive), today + timedelta(days=leave))

        maria = stay("Room 102", "Maria Silva", "+351 912 604 318", *days(hotel, -1, 2), guests=2)
        # Starts in 35 minutes: programmed 30 minutes ahead, so a newcomer sees it go on the
        # lock about five minutes after `make run`.
        _, three_nights = days(hotel, 0, 3)
        stay(
            "Room 101", "Tom Becker", "+351 936 225 107", now + timedelta(minutes=35), three_nights
        )
        # Room 201 turns over today: one guest leaves at check-out time, the next arrives.
        stay("Room 201", "Inês Carvalho", "+351 965 118 240", *days(hotel, -3, 0))
        stay("Room 201", "João Pereira", "+351 917 430 562", *days(hotel, 0, 2), guests=3)
        # The cottage's bookings come from Airbnb's calendar and a channel manager; these two
        # overlap by a night, so both are kept and flagged for a person to sort out.
        stay(
            "Whole house",
            "The Nguyen family",
            "+351 926 781 934",
            *days(home, 2, 6),
            guests=4,
            source="ical",
            external_id="HMZ4K8Q2XA@airbnb.com",
        )
        stay(
            "Whole house",
            "Lucas Martin",
            "+351 913 552 679",
            *days(home, 5, 8),
            guests=2,
            source="api",
            external_id="BKG-4471902",
        )
        return maria
