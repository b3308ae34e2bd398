package vigil.bench;

import java.time.LocalDate;
import java.time.temporal.IsoFields;

/**
 * The key of one weekly count: category, organisation and the ISO week
 * (Monday to Sunday, as Vigil's week periods) of the day the event
 * occurred, written "category|org|YYYY-Www". Category slugs and ODS codes
 * never hold '|'.
 */
public final class WeekKey {
  private WeekKey() {}

  public static String of(String category, String org, LocalDate occurredOn) {
    int year = occurredOn.get(IsoFields.WEEK_BASED_YEAR);
    int week = occurredOn.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR);
    StringBuilder key = new StringBuilder(category.length() + org.length() + 10);
    key.append(category).append('|').append(org).append('|').append(year).append("-W");
    if (week < 10) key.append('0');
    return key.append(week).toString();
  }
}
