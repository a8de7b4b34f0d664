import type { Catalog } from '../shared/i18n.ts';

export const codeMessages: Catalog = {
  'code_page.title': { en: 'Enter the verification code', ru: 'Введите код подтверждения' },
  'code_page.sent_to': { en: 'We sent a 6-digit code to {destination}.', ru: 'Мы отправили 6-значный код на {destination}.' },
  'code_page.valid_for': { en: 'The code is valid for {minutes} minutes.', ru: 'Код действует {minutes} минут.' },
  'code_page.code_label': { en: 'Verification code', ru: 'Код подтверждения' },
  'code_page.confirm': { en: 'Confirm', ru: 'Подтвердить' },
  'code_page.get_code': { en: 'Get code', ru: 'Получить код' },
  'code_page.seconds': { en: '{s} s', ru: '{s} с' },
  'code_page.get_code_in': { en: 'Get code ({seconds} s)', ru: 'Получить код ({seconds} с)' },
  'code_page.wait_hint': {
    en: 'You can ask for a new code {seconds} seconds after the last one.',
    ru: 'Новый код можно запросить через {seconds} секунд после предыдущего.',
  },
  'code_page.no_script_wait': {
    en: 'Reload this page when the time is up to ask for a new code.',
    ru: 'Когда время выйдет, обновите страницу, чтобы запросить новый код.',
  },
  'code_page.help_title': { en: "Didn't receive the code?", ru: 'Не пришёл код?' },
  'code_page.help_spam': { en: 'Check your spam or junk folder.', ru: 'Проверьте папку «Спам».' },
  'code_page.help_wait': {
    en: 'Delivery can take a minute. After that you can ask for a new code.',
    ru: 'Доставка может занять минуту. После этого можно запросить новый код.',
  },
  'code_page.help_address': {
    en: 'Make sure {destination} is the address you use here.',
    ru: 'Убедитесь, что {destination} — адрес, который вы здесь используете.',
  },
  'code_page.other_ways': { en: 'Other ways to verify', ru: 'Другие способы подтверждения' },
  'code_page.start_over': { en: 'Use a different address', ru: 'Указать другой адрес' },
};
