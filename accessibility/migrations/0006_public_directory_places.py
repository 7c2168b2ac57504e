"""The public directory of accessible places (#21): a ramp may be listed as public, and ramps and sign-language
points get the address, hours and access notes the directory shows."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accessibility", "0005_meaning_retrofit_household_required"),
        ("services", "0019_online_applications"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalrampretrofit",
            name="access_notes",
            field=models.CharField(
                blank=True,
                help_text="What a visitor in a wheelchair, a blind or a deaf visitor should know, e.g. the entrance to use. Never a person's name or phone.",
                max_length=300,
                verbose_name="access notes",
            ),
        ),
        migrations.AddField(
            model_name="historicalrampretrofit",
            name="access_notes_en",
            field=models.CharField(
                blank=True,
                help_text="Shown in English mode; leave empty to show the Chinese.",
                max_length=300,
                verbose_name="access notes in English",
            ),
        ),
        migrations.AddField(
            model_name="historicalrampretrofit",
            name="address",
            field=models.CharField(blank=True, max_length=200, verbose_name="address"),
        ),
        migrations.AddField(
            model_name="historicalrampretrofit",
            name="opening_hours",
            field=models.CharField(
                blank=True,
                help_text="As the public should read them, e.g. Mon–Fri 9:00–17:00.",
                max_length=200,
                verbose_name="opening hours",
            ),
        ),
        migrations.AddField(
            model_name="historicalrampretrofit",
            name="opening_hours_en",
            field=models.CharField(
                blank=True,
                help_text="Shown in English mode; leave empty to show the Chinese.",
                max_length=200,
                verbose_name="opening hours in English",
            ),
        ),
        migrations.AddField(
            model_name="historicalrampretrofit",
            name="public",
            field=models.BooleanField(
                default=False,
                help_text="Tick when anyone may use this passage; the directory then shows it with its address.",
                verbose_name="listed in the public directory",
            ),
        ),
        migrations.AddField(
            model_name="historicalsignlanguagepoint",
            name="access_notes",
            field=models.CharField(
                blank=True,
                help_text="What a visitor in a wheelchair, a blind or a deaf visitor should know, e.g. the entrance to use. Never a person's name or phone.",
                max_length=300,
                verbose_name="access notes",
            ),
        ),
        migrations.AddField(
            model_name="historicalsignlanguagepoint",
            name="access_notes_en",
            field=models.CharField(
                blank=True,
                help_text="Shown in English mode; leave empty to show the Chinese.",
                max_length=300,
                verbose_name="access notes in English",
            ),
        ),
        migrations.AddField(
            model_name="historicalsignlanguagepoint",
            name="address",
            field=models.CharField(blank=True, max_length=200, verbose_name="address"),
        ),
        migrations.AddField(
            model_name="historicalsignlanguagepoint",
            name="opening_hours",
            field=models.CharField(
                blank=True,
                help_text="As the public should read them, e.g. Mon–Fri 9:00–17:00.",
                max_length=200,
                verbose_name="opening hours",
            ),
        ),
        migrations.AddField(
            model_name="historicalsignlanguagepoint",
            name="opening_hours_en",
            field=models.CharField(
                blank=True,
                help_text="Shown in English mode; leave empty to show the Chinese.",
                max_length=200,
                verbose_name="opening hours in English",
            ),
        ),
        migrations.AddField(
            model_name="rampretrofit",
            name="access_notes",
            field=models.CharField(
                blank=True,
                help_text="What a visitor in a wheelchair, a blind or a deaf visitor should know, e.g. the entrance to use. Never a person's name or phone.",
                max_length=300,
                verbose_name="access notes",
            ),
        ),
        migrations.AddField(
            model_name="rampretrofit",
            name="access_notes_en",
            field=models.CharField(
                blank=True,
                help_text="Shown in English mode; leave empty to show the Chinese.",
                max_length=300,
                verbose_name="access notes in English",
            ),
        ),
        migrations.AddField(
            model_name="rampretrofit",
            name="address",
            field=models.CharField(blank=True, max_length=200, verbose_name="address"),
        ),
        migrations.AddField(
            model_name="rampretrofit",
            name="opening_hours",
            field=models.CharField(
                blank=True,
                help_text="As the public should read them, e.g. Mon–Fri 9:00–17:00.",
                max_length=200,
                verbose_name="opening hours",
            ),
        ),
        migrations.AddField(
            model_name="rampretrofit",
            name="opening_hours_en",
            field=models.CharField(
                blank=True,
                help_text="Shown in English mode; leave empty to show the Chinese.",
                max_length=200,
                verbose_name="opening hours in English",
            ),
        ),
        migrations.AddField(
            model_name="rampretrofit",
            name="public",
            field=models.BooleanField(
                default=False,
                help_text="Tick when anyone may use this passage; the directory then shows it with its address.",
                verbose_name="listed in the public directory",
            ),
        ),
        migrations.AddField(
            model_name="signlanguagepoint",
            name="access_notes",
            field=models.CharField(
                blank=True,
                help_text="What a visitor in a wheelchair, a blind or a deaf visitor should know, e.g. the entrance to use. Never a person's name or phone.",
                max_length=300,
                verbose_name="access notes",
            ),
        ),
        migrations.AddField(
            model_name="signlanguagepoint",
            name="access_notes_en",
            field=models.CharField(
                blank=True,
                help_text="Shown in English mode; leave empty to show the Chinese.",
                max_length=300,
                verbose_name="access notes in English",
            ),
        ),
        migrations.AddField(
            model_name="signlanguagepoint",
            name="address",
            field=models.CharField(blank=True, max_length=200, verbose_name="address"),
        ),
        migrations.AddField(
            model_name="signlanguagepoint",
            name="opening_hours",
            field=models.CharField(
                blank=True,
                help_text="As the public should read them, e.g. Mon–Fri 9:00–17:00.",
                max_length=200,
                verbose_name="opening hours",
            ),
        ),
        migrations.AddField(
            model_name="signlanguagepoint",
            name="opening_hours_en",
            field=models.CharField(
                blank=True,
                help_text="Shown in English mode; leave empty to show the Chinese.",
                max_length=200,
                verbose_name="opening hours in English",
            ),
        ),
        migrations.AlterField(
            model_name="historicalrampretrofit",
            name="note",
            field=models.CharField(
                blank=True, help_text="Internal; never shown to the public.", max_length=200, verbose_name="note"
            ),
        ),
        migrations.AlterField(
            model_name="rampretrofit",
            name="note",
            field=models.CharField(
                blank=True, help_text="Internal; never shown to the public.", max_length=200, verbose_name="note"
            ),
        ),
        migrations.AddIndex(
            model_name="rampretrofit",
            index=models.Index(condition=models.Q(("public", True)), fields=["street"], name="ramp_public_street_idx"),
        ),
    ]
