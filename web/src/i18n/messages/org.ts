// Texts of the org pages.
export default {
  'zh-CN': {},
  'en-US': {},
}
